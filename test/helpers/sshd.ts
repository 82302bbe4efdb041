// Real OpenSSH servers on loopback for integration tests.
//
// Each fixture host is its own `/usr/sbin/sshd -D -e` process with a freshly generated host key,
// listening on a random 127.x.y.z address (so parallel test files never collide) and a port found
// free on that address. Logins are as the unprivileged user `rbtest` (passwordless sudo) with a
// client key pair generated per fixture. Readiness is detected from sshd's stderr, never by sleeping.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify as yamlStringify } from 'yaml';

export const TEST_USER = 'rbtest';
const SSHD = '/usr/sbin/sshd';
const READY_TIMEOUT_MS = 10_000;

export interface SshFixtureHost {
  /** Inventory name (e.g. "h1"). */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** "ssh-ed25519 AAAA..." (changes after regenerateHostKey). */
  hostKeyLine: string;
  /** "SHA256:..." of the current host key. */
  fingerprint: string;
  /** "type AAAA..." of the extra host keys asked for with opts.extraHostKeyTypes (never regenerated). */
  readonly extraHostKeyLines: readonly string[];
}

export interface SshFixture {
  readonly hosts: readonly SshFixtureHost[];
  readonly user: string;
  readonly privateKeyFile: string;
  /** Holds one `[addr]:port key` line per host when the fixture starts. */
  readonly knownHostsFile: string;
  /** Temp directory owned by this fixture (removed by stop()). */
  readonly dir: string;
  writeKnownHosts(lines: readonly string[]): void;
  emptyKnownHostsFile(): void;
  /** `[addr]:port keytype base64` for host i (its current key). */
  knownHostsLine(i: number): string;
  /** Ansible YAML inventory of all hosts (optionally with groups of host names). */
  inventoryYaml(groups?: Record<string, string[]>): string;
  /** sshd's stderr so far for host i (all of its incarnations). */
  log(i: number): string;
  /** SIGKILL host i's sshd and every session it spawned. */
  killHost(i: number): void;
  /** SIGSTOP host i's sshd and its sessions: the network "goes silent" (resumeHost undoes it). */
  freezeHost(i: number): void;
  resumeHost(i: number): void;
  /** Start host i again: same address, port and host key. */
  restartHost(i: number): Promise<void>;
  /** Kill host i and restart it with a brand new host key. */
  regenerateHostKey(i: number): Promise<void>;
  stop(): Promise<void>;
}

interface HostRuntime {
  host: SshFixtureHost;
  dir: string;
  config: string;
  hostKey: string;
  proc?: ChildProcess;
  log: string;
}

// ------------------------------------------------------------------ process-tree utilities

/** pid -> parent pid for every process, read from /proc. */
function processParents(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // process vanished
    }
  }
  return parents;
}

/** The pid and all its descendants. */
function processTree(root: number): number[] {
  const parents = processParents();
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === out[i]) out.push(pid);
  }
  return out;
}

function signalAll(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** Freeze the tree first (so nothing forks past us), then SIGKILL all of it. */
function killTree(root: number): void {
  signalAll(processTree(root), 'SIGSTOP');
  signalAll(processTree(root), 'SIGKILL');
}

/**
 * Session processes of a host: sshd does not signal a non-pty command when its client goes away,
 * so after a freeze or a kill, steps can outlive their sshd. They are found by the SSH_CONNECTION
 * in their environment (server address and port), plus everything below them (sudo'd children).
 */
function sessionProcesses(address: string, port: number): number[] {
  const needle = ` ${address} ${port}\0`;
  const roots: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'latin1');
      const at = env.indexOf('SSH_CONNECTION=');
      if (at >= 0 && env.slice(at, env.indexOf('\0', at) + 1).endsWith(needle)) roots.push(Number(entry));
    } catch {
      // vanished or not readable
    }
  }
  return roots.flatMap(processTree);
}

function killSessions(address: string, port: number): void {
  const pids = sessionProcesses(address, port);
  signalAll(pids, 'SIGSTOP');
  signalAll([...new Set([...pids, ...sessionProcesses(address, port)])], 'SIGKILL');
}

const liveSshds = new Set<ChildProcess>();
const startedEndpoints: { address: string; port: number }[] = [];
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of liveSshds) if (p.pid) killTree(p.pid);
    for (const { address, port } of startedEndpoints) killSessions(address, port);
  });
}

// ------------------------------------------------------------------ user and addresses

/** Create rbtest (tolerating a concurrent creation), unlock it for pubkey, clean profile, sudo. */
function ensureTestUser(): void {
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  for (let attempt = 0; ; attempt++) {
    try {
      execFileSync('id', ['-u', TEST_USER], { stdio: 'ignore' });
      break;
    } catch {
      try {
        execFileSync('useradd', ['-m', '-s', '/bin/bash', TEST_USER], { stdio: 'ignore' });
        break;
      } catch (e) {
        // exit 9: created concurrently; exit 10: passwd file locked by a concurrent useradd
        if (attempt >= 50) throw e;
        execFileSync('sleep', ['0.1']); // lock contention back-off (not test synchronisation)
      }
    }
  }
  for (let attempt = 0; ; attempt++) {
    try {
      execFileSync('usermod', ['-p', '*', TEST_USER], { stdio: 'ignore' });
      break;
    } catch (e) {
      if (attempt >= 50) throw e;
      execFileSync('sleep', ['0.1']);
    }
  }
  const home = `/home/${TEST_USER}`;
  fs.mkdirSync(home, { recursive: true });
  for (const f of ['.bashrc', '.profile', '.bash_logout']) {
    const p = path.join(home, f);
    if (!fs.existsSync(p) || fs.statSync(p).size > 0) fs.writeFileSync(p, '');
  }
  const sudoers = '/etc/sudoers.d/rbtest';
  const want = `${TEST_USER} ALL=(ALL) NOPASSWD:ALL\n`;
  if (!fs.existsSync(sudoers) || fs.readFileSync(sudoers, 'utf8') !== want) {
    const tmp = `${sudoers}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, want, { mode: 0o440 });
    fs.renameSync(tmp, sudoers);
  }
}

/** A random loopback address not handed out yet: in 127.100-250.x.y, or in `net` ("127.N") when given. */
function randomLoopback(taken: Set<string>, within?: string): string {
  for (;;) {
    const a = within ? `${within}.${randomInt(0, 256)}.${randomInt(1, 255)}` : `127.${randomInt(100, 251)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    if (!taken.has(a)) {
      taken.add(a);
      return a;
    }
  }
}
const usedAddresses = new Set<string>();

/** A port that was free on `address` a moment ago (bind port 0, read it, close). */
function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, address, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** An address:port on loopback where nobody listens (connections are refused). */
export async function unusedAddress(): Promise<{ address: string; port: number }> {
  const address = randomLoopback(usedAddresses);
  return { address, port: await freePort(address) };
}

/** A TCP server that accepts connections and never says anything (for handshake timeouts). */
export async function listenSilentTcp(): Promise<{ address: string; port: number; close(): Promise<void> }> {
  const address = randomLoopback(usedAddresses);
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, address, () => resolve());
  });
  const port = (srv.address() as net.AddressInfo).port;
  return {
    address,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

// ------------------------------------------------------------------ keys

function generateKey(file: string, comment: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): void {
  for (const f of [file, `${file}.pub`]) fs.rmSync(f, { force: true });
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', comment, '-f', file], { stdio: 'ignore' });
}

/** "ssh-ed25519 AAAA..." (type and base64, no comment) of a public key file. */
function publicKeyLine(pubFile: string): string {
  const [type, b64] = fs.readFileSync(pubFile, 'utf8').trim().split(/\s+/);
  return `${type} ${b64}`;
}

export function fingerprintOfKeyLine(keyLine: string): string {
  const blob = Buffer.from(keyLine.split(' ')[1], 'base64');
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

// ------------------------------------------------------------------ sshd processes

function sshdConfig(rt: { address: string; port: number; hostKeys: readonly string[]; authorizedKeys: string }): string {
  return [
    `ListenAddress ${rt.address}:${rt.port}`,
    ...rt.hostKeys.map((k) => `HostKey ${k}`),
    `AuthorizedKeysFile ${rt.authorizedKeys}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin no',
    'MaxSessions 64',
    'MaxStartups 200',
    'PidFile none',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'AllowTcpForwarding yes',
    'LogLevel INFO',
    `AllowUsers ${TEST_USER}`,
    '',
  ].join('\n');
}

/** Spawn sshd for rt and wait for "Server listening on". Resolves false if it could not bind. */
function spawnSshd(rt: HostRuntime): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const proc = spawn(SSHD, ['-D', '-e', '-f', rt.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    rt.proc = proc;
    liveSshds.add(proc);
    let seen = '';
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`sshd on ${rt.host.address}:${rt.host.port} not ready within ${READY_TIMEOUT_MS}ms:\n${seen}`)), READY_TIMEOUT_MS);
    function finish(result: boolean | Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      seen += d;
      rt.log += d;
      if (seen.includes('Server listening on')) finish(true);
      else if (/Bind to port .* failed|Cannot bind any address/.test(seen)) finish(false);
    });
    proc.on('error', (e) => finish(e));
    proc.on('exit', (code, sig) => {
      liveSshds.delete(proc);
      if (!settled) {
        if (/Bind to port|Cannot bind/.test(seen)) finish(false);
        else finish(new Error(`sshd exited (${code ?? sig}) before listening:\n${seen}`));
      }
    });
  });
}

function stopProc(rt: HostRuntime, sig: 'kill' | 'stop' | 'cont'): void {
  const pid = rt.proc?.pid;
  const alive = pid !== undefined && rt.proc!.exitCode === null && rt.proc!.signalCode === null;
  const everything = (): number[] => [
    ...(alive ? processTree(pid) : []),
    ...sessionProcesses(rt.host.address, rt.host.port),
  ];
  if (sig === 'kill') {
    // Freeze sshd and its sessions together first, so no session gets to report its own death.
    signalAll(everything(), 'SIGSTOP');
    signalAll(everything(), 'SIGKILL');
  } else if (alive) {
    signalAll(processTree(pid), sig === 'stop' ? 'SIGSTOP' : 'SIGCONT');
  }
}

/** Wait (bounded) for a child process to be reaped after SIGKILL. */
function waitExit(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 5000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Start `count` sshd hosts on random loopback addresses. Call stop() in afterAll. */
export async function startSshHosts(
  count: number,
  opts: {
    namePrefix?: string;
    /** Host keys each sshd offers besides its ed25519 one (e.g. to test key-type preference). */
    extraHostKeyTypes?: readonly ('ecdsa' | 'rsa')[];
    /** "127.N": addresses only in 127.N.0.0/16 (a lab started by hand or by a bench keeps to its own range). */
    net?: string;
  } = {},
): Promise<SshFixture> {
  if (opts.net !== undefined && !/^127\.\d{1,3}$/.test(opts.net)) throw new Error(`net must look like 127.N, not ${opts.net}`);
  installExitHook();
  ensureTestUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-sshd-'));
  fs.chmodSync(dir, 0o755); // rbtest's sshd child reads the authorized keys file from here
  const privateKeyFile = path.join(dir, 'client_key');
  generateKey(privateKeyFile, 'rbtest-client');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorizedKeys, fs.readFileSync(`${privateKeyFile}.pub`), { mode: 0o644 });
  const knownHostsFile = path.join(dir, 'known_hosts');
  const prefix = opts.namePrefix ?? 'h';

  const runtimes: HostRuntime[] = [];
  for (let i = 0; i < count; i++) {
    const hdir = path.join(dir, `host${i + 1}`);
    fs.mkdirSync(hdir);
    const hostKey = path.join(hdir, 'ssh_host_ed25519_key');
    generateKey(hostKey, `host${i + 1}`);
    const keyLine = publicKeyLine(`${hostKey}.pub`);
    const extraKeys = (opts.extraHostKeyTypes ?? []).map((t) => {
      const file = path.join(hdir, `ssh_host_${t}_key`);
      generateKey(file, `host${i + 1}-${t}`, t);
      return file;
    });
    const extraHostKeyLines = extraKeys.map((k) => publicKeyLine(`${k}.pub`));
    let started = false;
    for (let attempt = 0; attempt < 5 && !started; attempt++) {
      const address = randomLoopback(usedAddresses, opts.net);
      const port = await freePort(address);
      const rt: HostRuntime = {
        host: { name: `${prefix}${i + 1}`, address, port, hostKeyLine: keyLine, fingerprint: fingerprintOfKeyLine(keyLine), extraHostKeyLines },
        dir: hdir,
        config: path.join(hdir, 'sshd_config'),
        hostKey,
        log: '',
      };
      fs.writeFileSync(rt.config, sshdConfig({ address, port, hostKeys: [hostKey, ...extraKeys], authorizedKeys }));
      started = await spawnSshd(rt);
      if (started) {
        runtimes.push(rt);
        startedEndpoints.push({ address, port });
      }
    }
    if (!started) throw new Error('could not start sshd on a free loopback port after 5 attempts');
  }

  const knownHostsLine = (i: number): string => {
    const h = runtimes[i].host;
    return `[${h.address}]:${h.port} ${h.hostKeyLine}`;
  };
  const writeKnownHosts = (lines: readonly string[]): void => {
    fs.writeFileSync(knownHostsFile, lines.length ? lines.join('\n') + '\n' : '', { mode: 0o600 });
  };
  writeKnownHosts(runtimes.map((_, i) => knownHostsLine(i)));

  const restart = async (i: number): Promise<void> => {
    const rt = runtimes[i];
    for (let attempt = 0; attempt < 20; attempt++) {
      if (await spawnSshd(rt)) return;
    }
    throw new Error(`could not restart sshd on ${rt.host.address}:${rt.host.port}`);
  };

  return {
    hosts: runtimes.map((r) => r.host),
    user: TEST_USER,
    privateKeyFile,
    knownHostsFile,
    dir,
    writeKnownHosts,
    emptyKnownHostsFile: () => writeKnownHosts([]),
    knownHostsLine,
    inventoryYaml(groups?: Record<string, string[]>): string {
      const hosts: Record<string, unknown> = {};
      for (const { host } of runtimes) {
        hosts[host.name] = {
          ansible_host: host.address,
          ansible_port: host.port,
          ansible_user: TEST_USER,
          ansible_ssh_private_key_file: privateKeyFile,
        };
      }
      const all: Record<string, unknown> = { hosts };
      if (groups && Object.keys(groups).length) {
        const children: Record<string, unknown> = {};
        for (const [g, names] of Object.entries(groups)) {
          children[g] = { hosts: Object.fromEntries(names.map((n) => [n, null])) };
        }
        all.children = children;
      }
      return yamlStringify({ all });
    },
    log: (i) => runtimes[i].log,
    killHost(i: number): void {
      stopProc(runtimes[i], 'kill');
    },
    freezeHost: (i) => stopProc(runtimes[i], 'stop'),
    resumeHost: (i) => stopProc(runtimes[i], 'cont'),
    async restartHost(i: number): Promise<void> {
      stopProc(runtimes[i], 'kill');
      await waitExit(runtimes[i].proc);
      await restart(i);
    },
    async regenerateHostKey(i: number): Promise<void> {
      const rt = runtimes[i];
      stopProc(rt, 'kill');
      await waitExit(rt.proc);
      generateKey(rt.hostKey, `host${i + 1}-regenerated`);
      rt.host.hostKeyLine = publicKeyLine(`${rt.hostKey}.pub`);
      rt.host.fingerprint = fingerprintOfKeyLine(rt.host.hostKeyLine);
      await restart(i);
    },
    async stop(): Promise<void> {
      for (const rt of runtimes) stopProc(rt, 'kill');
      await Promise.all(runtimes.map((rt) => waitExit(rt.proc)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
