// Runs HubSpot's project parser over the project's srcDir and prints, as one JSON line, what it made of
// it. A child process because @hubspot/project-parsing-lib is ESM-only and jest here runs CommonJS.
//
// `translate(..., {skipValidation: true})` (schema validation needs a HubSpot account) computes each
// file's parse errors (invalid JSON, unexpected top-level fields, a feature without an app) and then
// drops them. To fail on them, this also runs the two steps translate is made of, loadHsMetaFiles and
// transform, and reports their errors. Those are internals of the pinned 0.23 version: if an upgrade
// moves them, this script says so and the test fails until it is updated.
import { URL } from 'node:url';
import { translate } from '@hubspot/project-parsing-lib/translate';

const RESULT_MARKER = 'PROJECT_PARSE_RESULT ';
const [projectSourceDir, platformVersion] = process.argv.slice(2);
if (!projectSourceDir || !platformVersion) {
  console.error('usage: node translate-project.mjs <projectSourceDir> <platformVersion>');
  process.exit(2);
}
const translationContext = { projectSourceDir, platformVersion };

const { intermediateRepresentation, skippedHsMetaFiles } = await translate(translationContext, {
  skipValidation: true,
});

const translateEntry = import.meta.resolve('@hubspot/project-parsing-lib/translate');
let files;
let transform;
try {
  files = await import(new URL('../lib/files.js', translateEntry).href);
  transform = await import(new URL('../lib/transform.js', translateEntry).href);
} catch (error) {
  console.error(`project-parsing-lib internals moved; update translate-project.mjs: ${error}`);
  process.exit(3);
}
const { results } = await files.loadHsMetaFiles(translationContext);
const parseErrors = transform
  .getParsingErrors(transform.transform(results, translationContext))
  .map(({ file, errors }) => ({ file, errors }));

const components = Object.values(intermediateRepresentation.intermediateNodesIndexedByUid).map((node) => ({
  uid: node.uid,
  componentType: node.componentType,
  metaFilePath: node.metaFilePath,
  componentDeps: node.componentDeps,
  config: node.config,
}));

console.log(RESULT_MARKER + JSON.stringify({ components, skippedHsMetaFiles, parseErrors }));
