import { runCli } from '../app/cli/run-cli';

/** `npx sop-guide <command>` (through bin/sop-guide.cjs) and the bundled dist/cli.js. */
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
