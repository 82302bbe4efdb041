// Shared by `npm run bench:load` (bench/load.ts) and the lighter always-on test/load suite:
// run the built CLI while measuring its peak RSS, generate runbooks, hash logs.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Root of the checkout, whether this runs from bench/ (vitest) or dist-bench/bench/ (compiled). */
export function repoRoot(): string {
  const here = import.meta.dirname;
  return here.includes('dist-bench') ? resolve(here, '..', '..') : resolve(here, '..');
}

export interface MeasuredRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size of the player process (VmHWM read by the process itself at exit), in MB. */
  readonly peakRssMb: number;
  readonly wallMs: number;
}

// Preloaded into the player: reads its own VmHWM (the kernel's high-water mark of RSS) on exit.
const HWM_HOOK = `import { readFileSync, writeFileSync } from 'node:fs';
process.on('exit', () => {
  try {
    const m = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m && process.env.RB_HWM_FILE) writeFileSync(process.env.RB_HWM_FILE, m[1]);
  } catch {}
});
`;

/** Run `bin/runbook ARGS` to its end, measuring wall time and peak RSS. */
export function runMeasured(args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<MeasuredRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rb-hwm-'));
  const hook = join(dir, 'hwm.mjs');
  const hwmFile = join(dir, 'hwm');
  writeFileSync(hook, HWM_HOOK);
  const bin = join(repoRoot(), 'bin', 'runbook');
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--import', pathToFileURL(hook).href, bin, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', RB_HWM_FILE: hwmFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-1_000_000)));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-1_000_000)));
  const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
  return new Promise((res) => {
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      let kb = NaN;
      try {
        kb = Number(readFileSync(hwmFile, 'utf8'));
      } catch {
        // the process died before its exit hook ran
      }
      rmSync(dir, { recursive: true, force: true });
      res({ code, stdout: out, stderr: err, peakRssMb: kb / 1024, wallMs });
    });
  });
}

/** A runbook of `steps` trivial steps on every host. */
export function trivialRunbook(steps: number, title = 'load'): string {
  const body = ['---', `title: ${title}`, '---', ''];
  for (let s = 1; s <= steps; s++) body.push(`## Step ${s}`, '', '```bash {id=s' + s + '}', `echo step-${s} on {{ host.name }}`, '```', '');
  return body.join('\n');
}

/** Shell pipeline emitting exactly `bytes` deterministic bytes (the same on every host; `yes` dying of SIGPIPE is not a failure under pipefail). */
export function generatorCommand(bytes: number): string {
  return `{ yes 'runbook load 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ' || true; } | head -c ${bytes}`;
}

/** sha256 of what generatorCommand(bytes) prints, computed locally. */
export function expectedSha256(bytes: number): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['-c', generatorCommand(bytes)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const h = createHash('sha256');
    child.stdout.on('data', (d: Buffer) => h.update(d));
    child.on('error', rej);
    child.on('close', () => res(h.digest('hex')));
  });
}

/**
 * sha256 and size of a step log's output: the bytes between its header's `output:` line and its
 * footer (`### runbook: ended …`), as the engine writes them (src/engine/run/hostRun.ts).
 */
export function stepLogOutputSha256(file: string): { sha256: string; bytes: number } {
  const log = readFileSync(file);
  const marker = Buffer.from('### runbook: output:\n');
  const start = log.indexOf(marker);
  const end = log.lastIndexOf(Buffer.from('### runbook: ended '));
  if (start < 0 || end < start) return { sha256: 'not a step log with header and footer', bytes: log.length };
  const out = log.subarray(start + marker.length, end);
  return { sha256: createHash('sha256').update(out).digest('hex'), bytes: out.length };
}
