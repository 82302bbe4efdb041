// The `runbook` command line: option parsing (commander) and exit codes. Commands live in ./commands
// and are imported only when they run, so `status` never loads the player, the templating engine
// or ssh2 (and main.ts answers `--version` without loading commander at all).
import { Command, CommanderError, Option } from 'commander';
import { EXIT, EXIT_MEANING } from '../engine/errors.js';
import { formatError } from './errors.js';
import { VERSION } from './version.js';

const collect = (value: string, prev: string[]): string[] => [...prev, value];

function common(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <source>', 'Ansible inventory: INI or YAML file, directory, or h1,h2, list; repeatable, merged in order (default: front matter `inventory`, else the local machine)', collect, [])
    .option('--var <name=value>', 'set a variable (repeatable; wins over front matter and inventory vars)', collect, [])
    .option('--var-file <file>', 'YAML file of variables, mode 0600 (repeatable; below --var, above RUNBOOK_VAR_<name> env vars)', collect, [])
    .option('--hosts <pattern>', 'limit the session to hosts matching this pattern')
    .option('--state <file>', 'state file (default .runbook/<runbook>.state.jsonl beside the runbook)')
    .option('--ssh-config <file>', 'OpenSSH client config to honour (default ~/.ssh/config)')
    .option('--no-ssh-config', 'ignore ~/.ssh/config');
}

/** Commands that use the state file: they reuse the last session's options (session memory). */
function stateful(cmd: Command): Command {
  return cmd.option('--inventory-changed', 'use an -i other than the one the state was recorded with (hosts it no longer has are shown, not dropped)');
}

function execution(cmd: Command): Command {
  return stateful(common(cmd))
    .option('--only <id>', 'run only this step (repeatable)', collect, [])
    .option('--from <id>', 'start at this step')
    .option('--yes', 'say yes to confirm steps')
    .option('--forks <n>', 'hosts in flight at once per step', '50')
    .option('--force', 'run steps again even where state says done')
    .option('--retry-interrupted', 'rerun steps interrupted in an earlier session')
    .option('--accept-new', 'accept and record unknown host keys (like OpenSSH accept-new); changed keys are always refused')
    .option('--known-hosts <file>', 'known_hosts file (default ~/.ssh/known_hosts)')
    .option('--connect-timeout <duration>', 'TCP connect + SSH handshake timeout', '15s');
}

/** The commands buildProgram defines, by the name they are called with. */
export const COMMAND_NAMES = ['run', 'play', 'status', 'plan', 'hosts', 'lint', 'reset', 'report', 'skip', 'mark-done', 'export'] as const;

/**
 * The command line. With `only`, the name of one of its commands, that command alone is defined:
 * commander then parses and runs it as with all of them, and the start of a `runbook status`
 * does not make the ~120 options of the others (~2 ms). Help and unknown commands need them all.
 */
export function buildProgram(setCode: (code: number) => void, only?: string): Command {
  const wanted = (name: (typeof COMMAND_NAMES)[number]): boolean => only === undefined || !(COMMAND_NAMES as readonly string[]).includes(only) || only === name;
  const program = new Command('runbook')
    .description('Play Markdown runbooks step by step across hosts, with durable per-host state')
    .version(VERSION)
    .showSuggestionAfterError(true)
    // Set before the subcommands are added: they copy these settings when created.
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `runbook: ${s}` : s) })
    .exitOverride()
    .addHelpText(
      'after',
      `\nExit codes: ${Object.entries(EXIT_MEANING).map(([c, m]) => `${c} ${m}`).join(', ')}`,
    );

  if (wanted('run')) {
    execution(program.command('run <path>').description('run every pending step headlessly'))
      .addOption(new Option('--json', 'one JSON event per line instead of text'))
      .option('--report <file>', 'write a report of the run when it ends (.md, .json or .html, from the name)')
      .option('-v, --follow', 'print every host\'s output as it arrives, `host | line` (secrets masked)')
      .option('--heartbeat <duration>', 'without --follow: while a step runs longer than this, say every so often on which hosts', '10s')
      .action(async (path, o) => setCode(await (await import('./commands/run.js')).runCommand(path, o)));
  }
  if (wanted('play')) {
    execution(program.command('play <path>').description('step through a runbook in the interactive player')).action(async (path, o) => setCode(await (await import('./commands/play.js')).playCommand(path, o)));
  }
  if (wanted('status')) {
    stateful(common(program.command('status <path>').description('steps × hosts table from the state file')))
      .option('--json', 'machine-readable output')
      .action(async (path, o) => setCode(await (await import('./commands/status.js')).statusCommand(path, o)));
  }
  if (wanted('plan')) {
    stateful(common(program.command('plan <path>').description('render every step for every host; connects to nothing')))
      .option('--json', 'machine-readable output')
      .option('--known-hosts <file>', 'known_hosts file to show (default: the last session\'s, else ~/.ssh/known_hosts)')
      .action(async (path, o) => setCode(await (await import('./commands/plan.js')).planCommand(path, o)));
  }
  if (wanted('hosts')) {
    common(program.command('hosts [path]').description('list the resolved inventory: hosts, groups, vars and how each host is reached (like ansible-inventory --list); connects to nothing. Without a runbook, -i is required and the runbook\'s front matter plays no part'))
      .option('--json', 'ansible-inventory --list JSON, plus _runbook: group order and connections (secrets masked)')
      .option('--known-hosts <file>', 'known_hosts file to show (default ~/.ssh/known_hosts)')
      .action(async (path, o) => setCode(await (await import('./commands/hosts.js')).hostsCommand(path, o)));
  }
  if (wanted('lint')) {
    common(program.command('lint <path>').description('check attributes, ids, host patterns, variables and shell (ShellCheck)'))
      .option('--no-shellcheck', 'skip ShellCheck')
      .action(async (path, o) => setCode(await (await import('./commands/lint.js')).lintCommand(path, o)));
  }
  if (wanted('reset')) {
    stateful(common(program.command('reset <path>').description('forget recorded progress so steps run again')))
      .option('--step <id>', 'only this step')
      .option('--host <name>', 'only this host')
      .action(async (path, o) => setCode(await (await import('./commands/reset.js')).resetCommand(path, o)));
  }
  if (wanted('report')) {
    stateful(common(program.command('report <path>').description('what happened, from the state file and logs: Markdown, JSON or one HTML file')))
      .option('--format <format>', 'md, json or html (default: from --output, else md)')
      .option('-o, --output <file>', 'write the report to this file instead of standard output')
      .option('--since <time>', 'only what happened since an ISO time, a duration ago (90m, 2h) or the start of a session (s3, last)')
      .option('--session <id>', 'only what one session recorded: its id (s3) or last')
      .action(async (path, o) => setCode(await (await import('./commands/report.js')).reportCommand(path, o)));
  }
  for (const [name, status, what] of [
    ['skip', 'skipped', 'record a step skipped (as the player\'s s and S keys do)'],
    ['mark-done', 'done-manual', 'record a step done by hand (as the player\'s m key does)'],
  ] as const) {
    if (!wanted(name)) continue;
    stateful(common(program.command(`${name} <path>`).description(`${what}, with who, when and why`)))
      .requiredOption('--step <id>', 'the step')
      .option('--host <name>', 'only this host (default: every host the step targets)')
      .requiredOption('--reason <text>', 'why: kept in the state file with who and when')
      .action(async (path, o) => setCode(await (await import('./commands/mark.js')).markCommand(status, path, o)));
  }
  if (!wanted('export')) return program;
  const exp = program.command('export').description('export a runbook to another tool');
  common(exp.command('ansible <path>').description('an Ansible playbook with the same semantics (one play per step); refuses steps it cannot export faithfully'))
    .requiredOption('-o, --output <dir>', 'directory to write playbook.yml (and roles/runbook_defaults/ for front matter vars) into')
    .action(async (path, o) => setCode(await (await import('./commands/export.js')).exportAnsibleCommand(path, o)));
  return program;
}

/** Parse argv with commander and run the command it names; the exit code. */
export async function runProgram(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram((c) => (code = c), argv[0]);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.BAD_INPUT;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.OK : EXIT.BAD_INPUT;
    }
    const { text, code: c } = formatError(e);
    process.stderr.write(text + '\n');
    return c;
  }
}
