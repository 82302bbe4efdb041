// Runs the real built CLI (bin/runbook -> dist/) as a child process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'runbook');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  /** Resolves once stdout has printed text matching re (rejects after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  stdout(): string;
}

export function startCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) if (w.re.test(out)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout: out, stderr: err })));
  return {
    child,
    done,
    stdout: () => out,
    waitFor(re, timeoutMs = 30_000) {
      if (re.test(out)) return Promise.resolve();
      return new Promise<void>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timed out waiting for ${re} in output:\n${out}\n${err}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(t), res()) });
        void done.then(() => {
          clearTimeout(t);
          if (!re.test(out)) rej(new Error(`process ended before ${re} appeared:\n${out}\n${err}`));
        });
      });
    },
  };
}

export function runCli(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}

/** A temp directory the unprivileged ssh test user can write into too. */
export function sharedTempDir(prefix = 'runbook-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(d, 0o777);
  return d;
}

/** A copy of the built CLI (bin/, dist/ and package.json, node_modules linked), to change its build without touching the checkout's; its root. */
export function copyBuiltCli(): string {
  const dir = join(sharedTempDir('rb-cli-copy-'), 'runbook');
  mkdirSync(dir);
  for (const p of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Whether V8 takes the code cache of `command`'s quick bundle in the CLI at `root` (bin/quick.cjs's loadQuick, in a process of its own). */
export function quickCacheTaken(root: string, command: string): boolean {
  const script = `const q = require(${JSON.stringify(join(root, 'bin', 'quick.cjs'))}); const l = await q.loadQuick(${JSON.stringify(command)}); console.log(JSON.stringify(l?.script.cachedDataRejected === false))`;
  const r = spawnSync(process.execPath, ['-e', `(async () => { ${script} })()`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loadQuick(${command}) exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as boolean;
}

export function writeFile(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** runCli, but the process is SIGKILLed after `ms` (a hang is a result: timedOut, never a stuck suite). */
export async function runCliBounded(args: readonly string[], ms: number, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult & { timedOut: boolean }> {
  const p = startCli(args, opts);
  let timedOut = false;
  const t = setTimeout(() => {
    timedOut = true;
    p.child.kill('SIGKILL');
  }, ms);
  try {
    return { ...(await p.done), timedOut };
  } finally {
    clearTimeout(t);
  }
}
