import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { parsePlaybook, type Playbook, type PlaybookError } from '../../domain';

export type PlaybookFileResult =
  | { ok: true; playbook: Playbook; fileName: string }
  | { ok: false; errors: PlaybookError[]; fileName: string };

/**
 * Reads and validates a playbook file. YAML 1.2 is a superset of JSON, so one parser serves `.yaml`,
 * `.yml` and `.json` alike. A syntax error is reported like a validation error (path "" and the
 * line), so callers print one list either way.
 */
export async function readPlaybookFile(filePath: string): Promise<PlaybookFileResult> {
  const fileName = path.basename(filePath);
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    return { ok: false, fileName, errors: [{ path: '', message: `cannot read ${filePath}: ${reason}` }] };
  }
  const parsed = parsePlaybookText(text);
  return { ...parsed, fileName };
}

export function parsePlaybookText(
  text: string,
): { ok: true; playbook: Playbook } | { ok: false; errors: PlaybookError[] } {
  const document = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => ({ path: '', message: `not valid YAML: ${error.message}` })),
    };
  }
  return parsePlaybook(document.toJS());
}

/**
 * The playbook as YAML, with the version it was exported from on top (an import ignores it: the server
 * numbers versions). No line folding, so long guidance stays on one line and diffs stay readable.
 */
export function formatPlaybookYaml(playbook: Playbook, version?: number): string {
  return YAML.stringify(version === undefined ? playbook : { version, ...playbook }, { lineWidth: 0 });
}
