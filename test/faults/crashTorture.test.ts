// Crash torture: `runbook run` (the built CLI) is SIGKILLed at a random instant, again and again,
// on a 10-step × 5-host runbook played on real loopback sshd hosts. Every step appends one line
// (its id) to a per-host counter file, so the hosts themselves say what ran and how often.
//
// The kill instants come from a seeded PRNG (TORTURE_SEED, default 0x5eed), drawn uniformly over
// an uninterrupted calibration run (from just before its state file appears to its end); every run logs its instant. TORTURE_RUNS
// (default 50) sets how many runs. Waiting a random time before the kill is the point of the
// test, not a synchronisation.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, startCli, writeFile } from '../helpers/cli.js';
import { startSshHosts, type SshFixture } from '../helpers/sshd.js';
import { after, counterLines, fence, prng, waitUntil } from './support.js';

const RUNS = Number(process.env.TORTURE_RUNS ?? 50);
const SEED = Number(process.env.TORTURE_SEED ?? 0x5eed);
const STEPS = Array.from({ length: 10 }, (_, i) => `s${i + 1}`);
const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'];

interface RunReport {
  run: number;
  /** Kill offset: from the spawn when early, else from the moment the state file appeared. */
  killAtMs: number;
  early: boolean;
  /** The player had already exited when the kill was due. */
  finishedFirst: boolean;
  stateFileExisted: boolean;
  statusCode: number | null;
  statusError?: string;
  /** Complete lines of the state file at the kill that are not JSON (a torn last line is allowed). */
  badStateLines: string[];
  /** step@host -> status at the kill, as `status --json` reports it. */
  atKill: Record<string, string>;
  /** step@host -> counter lines at the kill. */
  countAtKill: Record<string, number>;
  retryCode: number | null;
  retryOutput: string;
  /** step@host -> counter lines after the retry. */
  countAfter: Record<string, number>;
  /** step@host -> status after the retry. */
  afterRetry: Record<string, string>;
}

let fx: SshFixture;
let inv: string;
let calibrationMs = 0;
let journalStartMs = 0;
const reports: RunReport[] = [];

function book(dir: string): string {
  const steps = STEPS.map((s) => `## Step ${s}\n\n${fence(`id=${s} hosts=all`, `echo ${s} >> ${dir}/{{ host.name }}.count`)}`).join('\n');
  return writeFile(dir, 'torture.md', `# Torture\n\n${steps}`);
}

function args(dir: string, rb: string): string[] {
  return [rb, '-i', inv, '--known-hosts', fx.knownHostsFile, '--no-ssh-config', '--state', join(dir, 'state.jsonl')];
}

function counts(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of HOSTS) {
    const lines = counterLines(join(dir, `${h}.count`));
    for (const s of STEPS) out[`${s}@${h}`] = lines.filter((l) => l === s).length;
  }
  return out;
}

async function statusMap(dir: string, rb: string): Promise<{ code: number | null; map: Record<string, string>; error?: string }> {
  const r = await runCli(['status', ...args(dir, rb).filter((a) => a !== '--known-hosts' && a !== fx.knownHostsFile), '--json'], { cwd: dir });
  const map: Record<string, string> = {};
  try {
    const st = JSON.parse(r.stdout) as { steps: { id: string; hosts: Record<string, { status: string }> }[] };
    for (const s of st.steps) for (const [h, c] of Object.entries(s.hosts)) map[`${s.id}@${h}`] = c.status;
    return { code: r.code, map };
  } catch (e) {
    return { code: r.code, map, error: `${(e as Error).message}\n${r.stdout}\n${r.stderr}` };
  }
}

/**
 * One torture run. A kill instant is an offset either from the spawn (`early`: inside Node's
 * start-up, before any state exists) or from the moment the state file appears, so machine load
 * (slow start-up) does not push every kill into the start-up phase.
 */
async function oneRun(run: number, kill: { early: boolean; ms: number }): Promise<RunReport> {
  const dir = sharedTempDir('rb-torture-');
  const rb = book(dir);
  const p = startCli(['run', ...args(dir, rb)], { cwd: dir });
  if (!kill.early) {
    await waitUntil(() => existsSync(join(dir, 'state.jsonl')) || p.child.exitCode !== null, `run ${run} to create its state file`, 30_000, 2);
  }
  await after(kill.ms);
  const finishedFirst = p.child.exitCode !== null;
  p.child.kill('SIGKILL');
  await p.done;
  const stateFileExisted = existsSync(join(dir, 'state.jsonl'));
  const countAtKill = counts(dir);
  const badStateLines: string[] = [];
  if (stateFileExisted) {
    const lines = readFileSync(join(dir, 'state.jsonl'), 'utf8').split('\n').slice(0, -1); // complete lines only
    for (const l of lines) {
      try {
        JSON.parse(l);
      } catch {
        badStateLines.push(l);
      }
    }
  }
  const st = await statusMap(dir, rb);
  const retry = await runCli(['run', ...args(dir, rb), '--retry-interrupted'], { cwd: dir });
  const fin = await statusMap(dir, rb);
  return {
    run,
    killAtMs: kill.ms,
    early: kill.early,
    finishedFirst,
    stateFileExisted,
    statusCode: st.code,
    statusError: st.error,
    badStateLines,
    atKill: st.map,
    countAtKill,
    retryCode: retry.code,
    retryOutput: retry.stdout + retry.stderr,
    countAfter: counts(dir),
    afterRetry: fin.map,
  };
}

const label = (r: RunReport): string =>
  `run ${r.run} (TORTURE_SEED=${SEED}: kill ${r.killAtMs}ms after ${r.early ? 'the spawn' : 'the state file appeared'}; calibration: state file at ${journalStartMs}ms, end at ${calibrationMs}ms)`;

beforeAll(async () => {
  fx = await startSshHosts(5);
  inv = writeFile(sharedTempDir(), 'inventory.yaml', fx.inventoryYaml());

  // Calibration: one uninterrupted run sets the window the kill instants are drawn from.
  // Most of a short run is Node starting up, and kills there only prove that nothing happened:
  // 10% of the kills land in the start-up, 90% in the rest of the run, after the state file appears.
  const dir = sharedTempDir('rb-torture-cal-');
  const t0 = Date.now();
  const cal = startCli(['run', ...args(dir, book(dir))], { cwd: dir });
  await waitUntil(() => existsSync(join(dir, 'state.jsonl')), 'the calibration run to create its state file', 30_000, 5);
  journalStartMs = Date.now() - t0;
  const calResult = await cal.done;
  calibrationMs = Date.now() - t0;
  if (calResult.code !== 0) throw new Error(`calibration run failed (${calResult.code}):\n${calResult.stdout}\n${calResult.stderr}`);

  const rnd = prng(SEED);
  const t1 = Date.now();
  for (let run = 1; run <= RUNS; run++) {
    const early = rnd() < 0.1;
    const ms = Math.floor(rnd() * (early ? journalStartMs : calibrationMs - journalStartMs));
    const r = await oneRun(run, { early, ms });
    reports.push(r);
    const ok = Object.values(r.atKill).filter((s) => s === 'ok').length;
    const running = Object.values(r.atKill).filter((s) => s === 'running').length;
    console.log(`${label(r)}: ${r.finishedFirst ? 'finished before the kill' : 'killed'}, at kill ${ok} ok / ${running} running of 50; retry exit ${r.retryCode}`);
  }
  const summary = {
    seed: SEED,
    runs: RUNS,
    calibrationMs,
    journalStartMs,
    tortureMs: Date.now() - t1,
    earlyKills: reports.filter((r) => r.early).length,
    killOffsetsMs: reports.map((r) => (r.early ? -r.killAtMs : r.killAtMs)),
    finishedBeforeKill: reports.filter((r) => r.finishedFirst).length,
    killedBeforeStateFile: reports.filter((r) => !r.stateFileExisted).length,
    okAtKill: reports.map((r) => Object.values(r.atKill).filter((s) => s === 'ok').length),
    runningAtKill: reports.map((r) => Object.values(r.atKill).filter((s) => s === 'running').length),
    rerunAfterInterrupt: reports.reduce((n, r) => n + Object.keys(r.countAfter).filter((k) => r.countAfter[k] > 1).length, 0),
  };
  console.log(`torture summary: ${JSON.stringify(summary)}`);
  if (process.env.TORTURE_REPORT) writeFileSync(process.env.TORTURE_REPORT, JSON.stringify(summary, null, 2));
}, 900_000);

afterAll(async () => {
  await fx?.stop();
});

describe(`crash torture: ${RUNS} SIGKILLs of runbook run at random instants (10 steps × 5 hosts)`, () => {
  it('after every kill, every complete line of the state file is JSON and `runbook status --json` works', () => {
    for (const r of reports) {
      expect(r.statusCode, `${label(r)}: ${r.statusError}`).toBe(0);
      expect(r.statusError, label(r)).toBeUndefined();
      expect(r.badStateLines, label(r)).toEqual([]);
    }
  });

  it('after every kill, `runbook run --retry-interrupted` completes the runbook on every host', () => {
    for (const r of reports) {
      expect(r.retryCode, `${label(r)}:\n${r.retryOutput}`).toBe(0);
      for (const s of STEPS) for (const h of HOSTS) expect(r.afterRetry[`${s}@${h}`], `${label(r)} ${s}@${h}`).toBe('ok');
    }
  });

  it('no step is recorded ok that did not finish on its host (its line is in the counter file)', () => {
    for (const r of reports) {
      for (const [k, status] of Object.entries(r.atKill)) {
        if (status === 'ok') expect(r.countAtKill[k], `${label(r)}: ${k} recorded ok`).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('no step recorded ok ever runs a second time', () => {
    for (const r of reports) {
      for (const [k, status] of Object.entries(r.atKill)) {
        if (status === 'ok') expect(r.countAfter[k], `${label(r)}: ${k} was ok at the kill`).toBe(r.countAtKill[k]);
        expect(r.countAfter[k], `${label(r)}: ${k}`).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('no step runs without its record on disk first: a step with no record at the kill never ran, and runs exactly once', () => {
    for (const r of reports) {
      for (const s of STEPS) {
        for (const h of HOSTS) {
          const k = `${s}@${h}`;
          if (r.atKill[k] !== 'pending') continue;
          expect(r.countAtKill[k], `${label(r)}: ${k} pending at the kill`).toBe(0);
          expect(r.countAfter[k], `${label(r)}: ${k} pending at the kill`).toBe(1);
        }
      }
    }
  });
});
