// A step's clock starts once its host is connected: the TCP connection, the key exchange, the
// operator's answer about an unknown host key and the login come first, and none of it is charged
// to the step (its start time, 'running' record, log, or `timeout=`). The engine (createPlayer) with
// the real ssh transport against real loopback sshd hosts whose keys are not in known_hosts; the
// operator's dialog is the HostKeyPolicy's onUnknownKey callback, answered when the test decides.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/engine/errors.js';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import type { PlayerEvent } from '../../src/engine/run/events.js';
import { createPlayer } from '../../src/engine/run/player.js';
import { resolveStatePaths } from '../../src/engine/state/paths.js';
import { openState } from '../../src/engine/state/stateFile.js';
import { createRunStore } from '../../src/engine/store.js';
import { createSshTransport } from '../../src/engine/transport/ssh.js';
import type { HostKeyPolicy } from '../../src/engine/transport/types.js';
import type { HostStepRecord } from '../../src/engine/types.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { useSshLab } from '../helpers/sshLab.js';
import { listenSilentTcp, TEST_USER } from '../helpers/sshd.js';

/** h1 for the single-host cases; all 30 for the fleet (the operator's run that found the defect had 30). */
const lab = useSshLab(30);

/** How long the operator reads the dialog: longer than the steps' timeout= (2s) below. */
const READING_MS = 3000;

type KeyQuestion = Parameters<NonNullable<HostKeyPolicy['onUnknownKey']>>[0];

/** The operator's side of the host-key dialog: questions arrive, the test answers them. */
function hostKeyDesk() {
  const questions: { info: KeyQuestion; answer: (ok: boolean) => void; withdrawn: AbortSignal }[] = [];
  const waiters: (() => void)[] = [];
  return {
    onUnknownKey: (info: KeyQuestion, withdrawn: AbortSignal): Promise<boolean> =>
      new Promise<boolean>((resolve) => {
        questions.push({ info, answer: resolve, withdrawn });
        withdrawn.addEventListener('abort', () => resolve(false), { once: true });
        for (const w of waiters.splice(0)) w();
      }),
    /** The first question, once it is asked. */
    question: (): Promise<(typeof questions)[number]> =>
      new Promise((resolve) => {
        if (questions.length) return resolve(questions[0]);
        waiters.push(() => resolve(questions[0]));
      }),
    /** Resolves once n questions are waiting. */
    asked: (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => (questions.length >= n ? resolve() : void waiters.push(check));
        check();
      }),
    questions,
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** A player over the ssh transport, with an empty known_hosts: every key is unknown. The steps' hosts are prepared as `play` does. */
async function setup(markdown: string, opts: { inventoryYaml?: (dir: string) => string } = {}) {
  const dir = sharedTempDir('rb-connect-first-');
  const runbook = parseRunbookText(markdown, join(dir, 'book.md'));
  const inventory = parseInventory(opts.inventoryYaml?.(dir) ?? lab.fx.inventoryYaml(), join(dir, 'inventory.yaml'));
  const paths = resolveStatePaths(runbook.path, { cwd: dir });
  const state = await openState({ stateFile: paths.stateFile, runbookPath: runbook.path, mode: 'write' });
  const store = createRunStore({ runbook, inventory, records: state.snapshot() });
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, '');
  const desk = hostKeyDesk();
  const transport = createSshTransport({ hostKeys: { knownHostsFile, acceptNew: false, onUnknownKey: desk.onUnknownKey }, agent: '', defaultIdentityFiles: [], connectTimeoutMs: 10_000 });
  const events: { at: number; e: PlayerEvent }[] = [];
  const player = createPlayer({ runbook, inventory, transport, state, paths, store, onEvent: (e) => events.push({ at: Date.now(), e }) });
  closers.push(async () => {
    for (const q of desk.questions) q.answer(false);
    await player.close();
  });
  // play connects to its hosts ahead of the first step, never asking: that connection meets the
  // unknown key and is refused; the step's own connection asks.
  transport.prepare?.([...new Set(runbook.steps.flatMap((s) => player.targets(s.id)))]);
  /** The journal's records of a step, in the order they were written (the queued ones flushed first). */
  const journal = async (stepId: string): Promise<HostStepRecord[]> => {
    await state.flush();
    return readFileSync(paths.stateFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t?: string; step?: string; rec?: HostStepRecord })
      .filter((l) => l.t === 'rec' && l.step === stepId).map((l) => l.rec!);
  };
  const readLog = (rec: HostStepRecord | undefined): string => readFileSync(join(paths.dir, rec!.log!), 'utf8');
  return { dir, player, store, state, paths, desk, events, journal, readLog };
}

/** The operator reads the dialog: time passes with the question unanswered. */
const operatorReads = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const STEP = fence('id=slow-key hosts=h1 timeout=2s', 'echo ran on $(hostname)');

describe('the host-key dialog comes before the step: its clock does not run while nobody has answered', () => {
  it('accepted after longer than timeout=: the step starts at the answer and ends ok, never timed out', async () => {
    const t = await setup(`# Keys\n\n${STEP}`);
    const playing = t.player.play();
    const q = await t.desk.question();
    expect(q.info.host).toBe('h1');
    expect(q.info.fingerprint).toBe(lab.fx.hosts[0].fingerprint);

    await operatorReads(READING_MS);
    // Nothing of the step exists yet: no record, no 'running' on screen or in the journal, no log, no host-start.
    expect(t.store.getState().records['slow-key']?.h1).toBeUndefined();
    expect(await t.journal('slow-key')).toEqual([]);
    expect(existsSync(join(t.paths.logsDir, 'slow-key'))).toBe(false);
    expect(t.events.filter(({ e }) => e.type === 'host-start')).toEqual([]);

    const answeredAt = Date.now();
    q.answer(true);
    const stop = await playing;

    expect(stop.kind).toBe('end');
    const rec = t.state.get('slow-key', 'h1');
    expect(rec).toMatchObject({ status: 'ok', attempts: 1, exitCode: 0 });
    expect(rec?.message).toBeUndefined();
    expect(Date.parse(rec!.startedAt!)).toBeGreaterThanOrEqual(answeredAt);
    const written = await t.journal('slow-key');
    expect(written.map((r) => r.status)).toEqual(['running', 'ok']);
    expect(Date.parse(written[0].startedAt!)).toBeGreaterThanOrEqual(answeredAt);
    expect(t.events.find(({ e }) => e.type === 'host-start')!.at).toBeGreaterThanOrEqual(answeredAt);
    const log = t.readLog(rec);
    expect(log).toMatch(/^ran on /m);
    expect(log).not.toMatch(/timed out/);
    expect(readFileSync(join(t.dir, 'known_hosts'), 'utf8')).toContain(lab.fx.hosts[0].hostKeyLine.split(' ')[1]);
  });

  it('rejected after longer than timeout=: unreachable, no attempt counted, no timeout, and the log says why', async () => {
    const t = await setup(`# Keys\n\n${STEP}`);
    const playing = t.player.play();
    const q = await t.desk.question();
    await operatorReads(READING_MS);
    expect(await t.journal('slow-key')).toEqual([]);
    q.answer(false);
    const stop = await playing;

    expect(stop).toMatchObject({ kind: 'failed', stepId: 'slow-key', hosts: { h1: 'unreachable' } });
    const rec = t.state.get('slow-key', 'h1');
    expect(rec).toMatchObject({ status: 'unreachable', attempts: 0, exitCode: null });
    expect(rec?.message).toMatch(/host key ssh-ed25519 SHA256:\S+ of [\d.]+:\d+ was rejected/);
    expect(rec?.message).not.toMatch(/timed out/);
    // It never started: no start time, no marker, no 'running' record.
    expect(rec?.startedAt).toBeUndefined();
    expect(rec?.marker).toBeUndefined();
    expect((await t.journal('slow-key')).map((r) => r.status)).toEqual(['unreachable']);
    expect(t.events.filter(({ e }) => e.type === 'host-start')).toEqual([]);
    const log = t.readLog(rec);
    expect(log).toMatch(/### runbook: unreachable: host key ssh-ed25519 \S+ of [\d.]+:\d+ was rejected/);
    expect(log).toMatch(/the step did not start \(not counted as an attempt\)/);
    expect(log).not.toMatch(/timed out/);
  });

  it('aborted while the dialog is open: the step is not recorded as run on the host (no record, no log), and the question is withdrawn', async () => {
    const t = await setup(`# Keys\n\n${STEP}`);
    const playing = t.player.play();
    const q = await t.desk.question();
    expect(q.withdrawn.aborted).toBe(false);
    t.player.abort();
    const stop = await playing;
    expect(q.withdrawn.aborted).toBe(true);

    expect(stop).toMatchObject({ kind: 'aborted', stepId: 'slow-key' });
    expect(t.state.get('slow-key', 'h1')).toBeUndefined();
    expect(t.store.getState().records['slow-key']?.h1).toBeUndefined();
    expect(await t.journal('slow-key')).toEqual([]);
    expect(existsSync(join(t.paths.logsDir, 'slow-key')) ? readdirSync(join(t.paths.logsDir, 'slow-key')) : []).toEqual([]);
    const end = t.events.find(({ e }) => e.type === 'host-end')?.e;
    expect(end).toMatchObject({ type: 'host-end', host: 'h1', status: 'pending', message: 'aborted by operator before the step started on this host: not run' });
    expect(t.events.filter(({ e }) => e.type === 'host-start')).toEqual([]);
    expect(readFileSync(join(t.dir, 'known_hosts'), 'utf8')).toBe('');

    // Played again, the host's key is asked about again; accepted, the step runs.
    const again = t.player.play();
    await t.desk.asked(2);
    t.desk.questions[1].answer(true);
    expect((await again).kind).toBe('end');
    expect(t.state.get('slow-key', 'h1')).toMatchObject({ status: 'ok', attempts: 1 });
  });
});

describe('at fleet scale', () => {
  it('30 hosts whose keys are all unknown, answered together after longer than timeout=: every host starts after the answer and ends ok', async () => {
    // timeout=8s: 30 shells starting at once took at most 1.8 s per host at load 3 on this 2-core
    // machine; the margin is for a loaded machine, the reading still outlasts the timeout.
    const t = await setup(`# Keys\n\n${fence('id=init-runtime-socket hosts=all timeout=8s', 'echo socket ready')}`);
    const playing = t.player.play();
    await t.desk.asked(30);
    await operatorReads(8500);
    expect(await t.journal('init-runtime-socket')).toEqual([]);
    expect(t.store.getState().records['init-runtime-socket'] ?? {}).toEqual({});

    const answeredAt = Date.now();
    for (const q of t.desk.questions) q.answer(true); // A: accept all
    const stop = await playing;

    expect(stop.kind).toBe('end');
    const recs = lab.fx.hosts.map((h) => t.state.get('init-runtime-socket', h.name));
    expect(recs.map((r) => r?.status)).toEqual(lab.fx.hosts.map(() => 'ok'));
    for (const r of recs) {
      expect(r?.message).toBeUndefined();
      expect(Date.parse(r!.startedAt!)).toBeGreaterThanOrEqual(answeredAt);
    }
    const longest = Math.max(...recs.map((r) => Date.parse(r!.endedAt!) - Date.parse(r!.startedAt!)));
    console.log(`30 hosts accepted at once: the longest host-step took ${longest} ms from its start (shell start included)`);
    expect(t.desk.questions.map((q) => q.info.host).sort()).toEqual(lab.fx.hosts.map((h) => h.name).sort());
  });
});

describe('a connection that cannot be made for another reason', () => {
  it('a private key file that is not a key: failed with the file named, the step not started (no attempt, no start time)', async () => {
    const t = await setup(`# Keys\n\n${STEP}`, {
      inventoryYaml: (dir) => lab.fx.inventoryYaml().replaceAll(lab.fx.privateKeyFile, writeFile(dir, 'not-a-key', 'this is not a private key\n')),
    });
    const stop = await t.player.play();

    expect(stop).toMatchObject({ kind: 'failed', stepId: 'slow-key' });
    const rec = t.state.get('slow-key', 'h1');
    expect(rec).toMatchObject({ status: 'failed', attempts: 0, exitCode: null });
    expect(rec?.message).toMatch(/private key file \S+not-a-key for h1 is not a usable private key/);
    expect(rec?.startedAt).toBeUndefined();
    expect((await t.journal('slow-key')).map((r) => r.status)).toEqual(['failed']);
    expect(t.desk.questions).toEqual([]);
    expect(t.readLog(rec)).toMatch(/### runbook: failed: private key file .* the step did not start \(not counted as an attempt\)/s);
  });
});

describe('runbook run: a connection that takes longer than the step\'s timeout= is not charged to it', () => {
  it('a host that accepts TCP but never speaks SSH is unreachable after --connect-timeout, not timed out after timeout=', async () => {
    const silent = await listenSilentTcp();
    try {
      const dir = sharedTempDir('rb-connect-first-cli-');
      const inv = writeFile(dir, 'inventory.yaml', `all:\n  hosts:\n    silent:\n      ansible_host: ${silent.address}\n      ansible_port: ${silent.port}\n      ansible_user: ${TEST_USER}\n      ansible_ssh_private_key_file: ${lab.fx.privateKeyFile}\n`);
      const rb = writeFile(dir, 'book.md', `# Reach\n\n${fence('id=quick hosts=all timeout=1s', 'true')}`);
      const state = join(dir, 's.jsonl');
      const r = await runCli(['run', rb, '-i', inv, '--known-hosts', lab.fx.knownHostsFile, '--no-ssh-config', '--state', state, '--connect-timeout', '3s'], { cwd: dir });

      expect(r.code, r.stdout + r.stderr).toBe(EXIT.UNREACHABLE);
      expect(r.stdout).toMatch(/silent\s+unreachable.*no SSH handshake from [\d.]+:\d+ within 3s/);
      expect(r.stdout).not.toMatch(/timed out/);
      const st = JSON.parse((await runCli(['status', rb, '-i', inv, '--state', state, '--json'], { cwd: dir })).stdout);
      expect(st.steps[0].hosts.silent).toMatchObject({ status: 'unreachable', attempts: 0 });
    } finally {
      await silent.close();
    }
  });
});
