// Entry point of the `runbook` command (bin/runbook). It does as little as it can before the command
// is known: `--version` is answered here, and only then is the command line parsed (commander, in
// program.ts), which imports the one command that runs.
import { EXIT } from '../engine/errors.js';
import { captureEnvVars } from './varSources.js';
import { VERSION } from './version.js';

export async function main(argv: readonly string[]): Promise<number> {
  captureEnvVars(); // RUNBOOK_VAR_* leave the environment before any child process is started
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.OK;
  }
  return (await import('./program.js')).runProgram(argv);
}
