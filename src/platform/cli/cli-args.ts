import { AppError } from '../errors/app-error';

/** Minimal, strict argument parsing: unknown flags are errors, not silently ignored. */
export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  flags: Record<string, string | true>;
}

export function parseCliArgs(argv: string[], knownFlags: Record<string, 'boolean' | 'string'>): ParsedArgs {
  const [command = null, ...rest] = argv;
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const kind = knownFlags[name];
    if (!kind) throw new AppError('BAD_REQUEST', `Unknown option --${name}`);
    if (kind === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = inline ?? rest[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw new AppError('BAD_REQUEST', `Option --${name} needs a value`);
    }
    if (inline === undefined) i += 1;
    flags[name] = value;
  }
  return { command, positionals, flags };
}

export function stringFlag(args: ParsedArgs, name: string): string | null {
  const value = args.flags[name];
  return typeof value === 'string' ? value : null;
}

export function parseIsoFlag(args: ParsedArgs, name: string): Date | null {
  const value = stringFlag(args, name);
  if (value === null) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new AppError('BAD_REQUEST', `--${name}: expected an ISO date or time, got "${value}"`);
  return at;
}

export function parsePositiveIntFlag(args: ParsedArgs, name: string, fallback: number): number {
  const value = stringFlag(args, name);
  if (value === null) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new AppError('BAD_REQUEST', `--${name}: expected a positive whole number, got "${value}"`);
  return parsed;
}

/** Render rows as an aligned plain-text table for terminal output. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
