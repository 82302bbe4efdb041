// SSH connections on ssh2: one persistent connection per host (through its ProxyJump chain), shared by
// everything that runs on it, verified against known_hosts, re-created when it dies. Authentication
// and host-key checks live here; running commands on a connection is sshExec.ts / sshSession.ts.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, ConnectConfig } from 'ssh2';
import { AuthError, BadInputError, ConnectionError, HostKeyError, type RunbookError } from '../errors.js';
import type { Host, JumpHost, SshEndpoint } from '../types.js';
import { agentFor, agentSocket } from './agent.js';
import { coalesceWritesPerTick } from './coalesceWrites.js';
import { spawnProxyCommand } from './proxyCommand.js';
import { fairReads } from './fairReads.js';
import { appendKnownHost, checkHostKey, entriesForHost, fingerprint, keyTypeOfBlob, knownKeyTypes } from './knownHosts.js';
import type { HostKeyPolicy } from './types.js';

// ssh2 is CommonJS: Node's ESM loader only offers its default export.
const { Client, utils: ssh2utils } = ssh2;
type Client = InstanceType<typeof Client>;

export interface SshConnectOptions {
  readonly hostKeys: HostKeyPolicy;
  /** TCP connect + SSH handshake + auth, per hop (default 15000). Paused while the operator decides on a key. */
  readonly connectTimeoutMs?: number;
  /** ssh-agent socket (default process.env.SSH_AUTH_SOCK). */
  readonly agent?: string;
  /** Tried when a host has no explicit key (default: existing ~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
  readonly defaultIdentityFiles?: readonly string[];
  /** Keepalive probe interval (default 5000); the connection is declared dead after keepaliveCountMax unanswered probes. */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
}

/** One hop as the transport connects to it: the host's (or jump host's) SshEndpoint, user resolved. */
interface Endpoint extends Omit<SshEndpoint, 'user' | 'strictHostKeyChecking'> {
  /** The inventory name or ProxyJump alias of this hop, for messages. */
  readonly name?: string;
  readonly user: string;
  /** privateKeyFile is the ssh config's first IdentityFile: skipped when missing, as ssh does. */
  readonly keyOptional?: boolean;
  /** StrictHostKeyChecking of this hop (target only), over the transport's. */
  readonly strict?: SshEndpoint['strictHostKeyChecking'];
}

/** A live (or dead) authenticated connection to a host. */
export interface Conn {
  readonly client: Client;
  readonly label: string; // user@address:port
  dead: boolean;
  deathReason?: string;
}

interface ConnEntry {
  promise: Promise<Conn>;
  /** False for a connection opened ahead of need (prepare): it never asks about an unknown key. */
  ask: boolean;
  conn?: Conn;
  /**
   * Aborted once every waiter that can give up has (their signals aborted) and none that cannot
   * waits: a question about its host key is then withdrawn, or never asked.
   */
  readonly givenUp: AbortController;
  /** Waiters without a signal: while there is one, the entry is never given up. */
  pinned: boolean;
  /** Waiters whose signal has not aborted. */
  waiting: number;
}

/** The connection pool: one shared connection per host chain. */
export interface SshConnector {
  /**
   * The host's shared live connection, opened (or re-opened after it died) on demand. `ask: false`
   * (connecting ahead of need) refuses an unknown host key instead of asking the operator; a later
   * connect that may ask then tries again. `signal`: this caller may stop waiting; once every
   * caller waiting for a connection has, a question about its key is withdrawn (the connection
   * fails with HostKeyError 'unknown'; the next connect asks again).
   */
  connect(host: Host, opts?: { readonly ask?: boolean; readonly signal?: AbortSignal }): Promise<Conn>;
  /** Close every connection (and cancel those still connecting). */
  close(): Promise<void>;
}

/** Host-key algorithms ssh2 offers by default, in its order. */
const DEFAULT_HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

const endpointLabel = (e: Endpoint): string => `${e.user}@${e.address}:${e.port}`;
const addrPort = (e: Endpoint): string => `${e.address}:${e.port}`;
const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

/** Algorithms for a known key type (an `ssh-rsa` key is used with the rsa-sha2 signatures too). */
function algosForKeyType(t: string): string[] {
  if (t === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return DEFAULT_HOST_KEY_ALGOS.includes(t) ? [t] : [];
}

function defaultIdentities(): string[] {
  const dir = path.join(os.homedir(), '.ssh');
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
}

/** Opens and caches the SSH connections of a transport. */
export function createSshConnector(opts: SshConnectOptions): SshConnector {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
  const keepaliveIntervalMs = opts.keepaliveIntervalMs ?? 5000;
  const keepaliveCountMax = opts.keepaliveCountMax ?? 3;
  const agent = opts.agent ?? process.env.SSH_AUTH_SOCK;
  const localUser = (() => {
    try {
      return os.userInfo().username;
    } catch {
      return process.env.USER ?? 'root';
    }
  })();
  const conns = new Map<string, ConnEntry>();
  /** Clients still connecting: close() destroys them instead of waiting for their timeout. */
  const connecting = new Set<InstanceType<typeof Client>>();
  const destroyedByClose = new WeakSet<InstanceType<typeof Client>>();

  // ------------------------------------------------------------------ authentication

  type AuthMethod = AnyAuthMethod;

  function authMethods(ep: Endpoint, hostName: string): AuthMethod[] {
    const methods: AuthMethod[] = [];
    let encryptedExplicit: string | undefined;
    const tryKeyFile = (file: string, explicit: boolean): void => {
      let data: Buffer;
      try {
        data = fs.readFileSync(file);
      } catch (e) {
        if (!explicit) return;
        throw new BadInputError(`private key file ${file} for ${hostName} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
          hint: 'check ansible_ssh_private_key_file / IdentityFile',
        });
      }
      const parsed = ssh2utils.parseKey(data);
      if (parsed instanceof Error) {
        if (explicit) encryptedExplicit = /passphrase|encrypted/i.test(parsed.message) ? file : encryptedExplicit;
        if (explicit && !encryptedExplicit) {
          throw new BadInputError(`private key file ${file} for ${hostName} is not a usable private key: ${parsed.message}`, {
            hint: 'check ansible_ssh_private_key_file / IdentityFile',
          });
        }
        return;
      }
      methods.push({ type: 'publickey', username: ep.user, key: data });
    };
    // OpenSSH's order: agent keys matching a configured identity file, the agent's other keys (not
    // under IdentitiesOnly), then the key files; the default ~/.ssh/id_* when no file is configured.
    const defaults = ep.privateKeyFile ? [] : (opts.defaultIdentityFiles ?? defaultIdentities());
    const configured = [...(ep.privateKeyFile ? [ep.privateKeyFile] : []), ...(ep.identityFiles ?? []), ...defaults];
    const hopAgent = agentFor(agentSocket(ep.identityAgent, agent), ep.identitiesOnly === true, configured);
    if (hopAgent) methods.push({ type: 'agent', username: ep.user, agent: hopAgent } as AuthMethod);
    if (ep.privateKeyFile) tryKeyFile(ep.privateKeyFile, !ep.keyOptional);
    for (const f of [...(ep.identityFiles ?? []), ...defaults]) tryKeyFile(f, false);
    if (methods.length === 0) {
      if (encryptedExplicit) {
        throw new AuthError(hostName, `private key ${encryptedExplicit} is passphrase-protected and no ssh-agent is available`, `load it into ssh-agent: ssh-add ${encryptedExplicit}`);
      }
      const agentNote = ep.identityAgent?.toLowerCase() === 'none' ? 'no ssh-agent (IdentityAgent none)' : ep.identitiesOnly && agentSocket(ep.identityAgent, agent) ? 'no ssh-agent key matching an identity file (IdentitiesOnly)' : 'no ssh-agent';
      throw new AuthError(hostName, `no SSH credentials to log in to ${endpointLabel(ep)}: no key file, ${agentNote}, no default ~/.ssh/id_* key`);
    }
    return methods;
  }

  // ------------------------------------------------------------------ connecting

  function mapConnectError(err: Error & { code?: string; level?: string }, ep: Endpoint, hostName: string, tcpConnected: boolean): RunbookError {
    const where = addrPort(ep);
    const timeoutMs = ep.connectTimeoutMs ?? connectTimeoutMs;
    switch (err.code) {
      case 'ECONNREFUSED':
        return new ConnectionError(hostName, `connection refused by ${where}`);
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new ConnectionError(hostName, `${where} is unreachable (${err.code})`);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new ConnectionError(hostName, `cannot resolve host name ${ep.address}`, 'check the host address in the inventory or ~/.ssh/config');
      case 'ECONNRESET':
        return new ConnectionError(hostName, `connection reset by ${where}${tcpConnected ? ' during the SSH handshake' : ''}`);
      case 'ETIMEDOUT':
        return new ConnectionError(hostName, `connection to ${where} timed out`);
    }
    if (err.level === 'client-authentication') {
      return new AuthError(hostName, `permission denied for ${endpointLabel(ep)} (every configured key was refused)`);
    }
    if (err.level === 'client-timeout') return new ConnectionError(hostName, `no SSH handshake from ${where} within ${seconds(timeoutMs)}`);
    if (err.level === 'protocol' || err.level === 'handshake') {
      return new ConnectionError(hostName, `SSH handshake with ${where} failed: ${err.message}`);
    }
    return new ConnectionError(hostName, `cannot connect to ${where}: ${err.message}`);
  }

  /** Open one authenticated ssh2 client to ep (over sock when hopping through a jump host). */
  function openClient(ep: Endpoint, hostName: string, sock: Duplex | undefined, ask: boolean, givenUp: AbortSignal, onDeath: (c: Conn) => void): Promise<Conn> {
    return new Promise<Conn>((resolve, reject) => {
      let methods: AuthMethod[];
      try {
        methods = authMethods(ep, hostName);
      } catch (e) {
        reject(e);
        return;
      }
      const client = new Client();
      const conn: Conn = { client, label: endpointLabel(ep), dead: false };
      let settled = false;
      let tcpConnected = sock !== undefined;
      let refusal: RunbookError | undefined;
      let timer: NodeJS.Timeout | undefined;
      connecting.add(client);
      const fail = (e: RunbookError): void => {
        connecting.delete(client);
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
        client.destroy();
      };
      // ConnectTimeout of the hop's ssh config, else the transport's (--connect-timeout).
      const timeoutMs = ep.connectTimeoutMs ?? connectTimeoutMs;
      const timeoutFrom = ep.connectTimeoutMs !== undefined ? ' (ConnectTimeout)' : '';
      const armTimer = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          fail(
            tcpConnected
              ? new ConnectionError(hostName, `no SSH handshake from ${addrPort(ep)} within ${seconds(timeoutMs)}${timeoutFrom}`)
              : new ConnectionError(hostName, `could not connect to ${addrPort(ep)} within ${seconds(timeoutMs)}${timeoutFrom}`),
          );
        }, timeoutMs);
      };

      const base = opts.hostKeys;
      // The host's own UserKnownHostsFile / StrictHostKeyChecking (ssh config or ssh args) win.
      const hostKeys = {
        ...base,
        ...(ep.knownHostsFile ? { knownHostsFile: ep.knownHostsFile } : {}),
        ...(ep.strict === 'accept-new' || ep.strict === 'no' ? { acceptNew: true } : {}),
        ...(ep.strict === 'yes' ? { acceptNew: false, onUnknownKey: undefined } : {}),
      };
      // HostKeyAlias: the key is looked up and recorded under the alias (no port), as ssh does.
      const khAddr = ep.hostKeyAlias ?? ep.address;
      const khPort = ep.hostKeyAlias !== undefined ? 22 : ep.port;
      const khLabel = ep.hostKeyAlias !== undefined ? `${addrPort(ep)} (HostKeyAlias ${ep.hostKeyAlias})` : addrPort(ep);
      const hostVerifier = (blob: Buffer, verify: (ok: boolean) => void): void => {
        const keyType = keyTypeOfBlob(blob);
        const fp = fingerprint(blob);
        const accept = (): void => {
          try {
            appendKnownHost(hostKeys.knownHostsFile, khAddr, khPort, keyType, blob.toString('base64'));
          } catch (e) {
            refusal = new ConnectionError(hostName, `cannot record the host key of ${addrPort(ep)} in ${hostKeys.knownHostsFile}: ${(e as Error).message}`, 'check that the known_hosts file and its directory are writable');
            verify(false);
            return;
          }
          verify(true);
        };
        let status: ReturnType<typeof checkHostKey>;
        try {
          status = checkHostKey(hostKeys.knownHostsFile, khAddr, khPort, keyType, blob);
        } catch (e) {
          refusal = new ConnectionError(hostName, `cannot read ${hostKeys.knownHostsFile}: ${(e as Error).message}`);
          verify(false);
          return;
        }
        if (status === 'known') return verify(true);
        if (status === 'revoked') {
          refusal = new HostKeyError(hostName, 'changed', fp, keyType,
            `REFUSED: the ${keyType} host key ${fp} offered by ${addrPort(ep)} is marked @revoked in ${hostKeys.knownHostsFile}`,
            'a revoked key must never be trusted again; find out why the host still offers it');
          return verify(false);
        }
        if (status === 'changed') {
          const lines = entriesForHost(hostKeys.knownHostsFile, khAddr, khPort).map((e) => `${hostKeys.knownHostsFile}:${e.line}`);
          refusal = new HostKeyError(hostName, 'changed', fp, keyType,
            `WARNING: HOST KEY OF ${khLabel} HAS CHANGED! Someone could be eavesdropping on you right now (man-in-the-middle attack), ` +
              `or the host was reinstalled. It now offers ${keyType} ${fp}, which does not match the key(s) recorded at ${lines.join(', ')}.`,
            `if the change is expected, remove the old key (ssh-keygen -R '${khPort === 22 ? khAddr : `[${khAddr}]:${khPort}`}' -f ${hostKeys.knownHostsFile}) and connect again`);
          return verify(false);
        }
        // unknown
        if (hostKeys.acceptNew) return accept();
        const withdrawn = (): HostKeyError =>
          new HostKeyError(hostName, 'unknown', fp, keyType, `host key ${keyType} ${fp} of ${addrPort(ep)} was not answered: the steps that needed the connection were aborted`);
        if (hostKeys.onUnknownKey && ask && givenUp.aborted) {
          refusal = withdrawn(); // nobody waits for this connection any more: nothing to ask
          return verify(false);
        }
        if (hostKeys.onUnknownKey && ask) {
          clearTimeout(timer); // the operator may take their time
          hostKeys.onUnknownKey({ host: hostName, address: ep.address, port: ep.port, keyType, fingerprint: fp }, givenUp).then(
            (ok) => {
              if (settled) return;
              armTimer();
              if (ok && !givenUp.aborted) return accept();
              refusal = givenUp.aborted ? withdrawn() : new HostKeyError(hostName, 'unknown', fp, keyType, `host key ${keyType} ${fp} of ${addrPort(ep)} was rejected`);
              verify(false);
            },
            (e: unknown) => {
              refusal = new HostKeyError(hostName, 'unknown', fp, keyType, `host key ${keyType} ${fp} of ${addrPort(ep)} was not accepted: ${String(e)}`);
              verify(false);
            },
          );
          return;
        }
        refusal = new HostKeyError(hostName, 'unknown', fp, keyType,
          `unknown host key for ${khLabel}: ${keyType} ${fp} is not in ${hostKeys.knownHostsFile}`,
          ep.hostKeyAlias !== undefined
            ? `verify the fingerprint, then re-run with --accept-new, or record it under the alias: ssh-keyscan -p ${ep.port} ${ep.address} | sed 's/^[^ ]*/${ep.hostKeyAlias}/' >> ${hostKeys.knownHostsFile}`
            : `verify the fingerprint, then re-run with --accept-new, or record it: ssh-keyscan -p ${ep.port} ${ep.address} >> ${hostKeys.knownHostsFile}`);
        verify(false);
      };

      const known = knownKeyTypes(hostKeys.knownHostsFile, khAddr, khPort).flatMap(algosForKeyType);
      const serverHostKey = [...new Set([...known, ...DEFAULT_HOST_KEY_ALGOS])];
      const queue = [...methods];
      const config: ConnectConfig = {
        host: ep.address,
        port: ep.port,
        username: ep.user,
        sock,
        readyTimeout: 0, // our own timer (paused while the operator is asked about a key)
        keepaliveInterval: keepaliveIntervalMs,
        keepaliveCountMax,
        hostVerifier,
        authHandler: (_left, _partial, next) => {
          // ssh2 accepts `false` for "no more methods" (the typings do not say so)
          (next as (m: AnyAuthMethod | false) => void)(queue.shift() ?? false);
        },
        algorithms: known.length ? { serverHostKey: serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } : undefined,
      };

      client.on('connect', () => {
        tcpConnected = true;
      });
      client.on('ready', () => {
        connecting.delete(client);
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // ssh2 reads its socket through 'data' by now: from here on, a bounded helping per turn, so
        // 30 hosts streaming cannot hold the event loop (and the player's keys) for a second.
        const raw = (client as unknown as { _sock?: Duplex })._sock;
        if (raw) {
          keepAliveOnData(client, raw, keepaliveIntervalMs);
          fairReads(raw);
        }
        resolve(conn);
      });
      client.on('error', (err: Error & { code?: string; level?: string }) => {
        if (!settled) fail(refusal ?? mapConnectError(err, ep, hostName, tcpConnected));
        else if (!conn.deathReason) {
          conn.deathReason = err.message === 'Keepalive timeout'
            ? `no answer to ${keepaliveCountMax} keepalives (${seconds(keepaliveIntervalMs * keepaliveCountMax)})`
            : err.message;
        }
      });
      client.on('close', () => {
        conn.dead = true;
        onDeath(conn);
        if (!settled) {
          fail(refusal ?? new ConnectionError(hostName, destroyedByClose.has(client)
            ? `connecting to ${addrPort(ep)} was cancelled: the SSH transport was closed`
            : `${addrPort(ep)} closed the connection during the SSH handshake`));
        }
      });
      armTimer();
      try {
        client.connect(config);
        // Steps are small request/response exchanges (a step's text out, a few short frames back):
        // with Nagle's algorithm on, ssh2's packets (written in several pieces) wait for the peer's
        // delayed ACK, which cost ~50 ms per step on loopback under load (a trivial step: 140 -> 90 ms).
        if (!sock) {
          client.setNoDelay(true);
          // ssh2's own TCP socket (created by connect(), kept as the private `_sock`): see coalesceWrites.ts.
          const tcp = (client as unknown as { _sock?: unknown })._sock;
          if (tcp instanceof net.Socket) coalesceWritesPerTick(tcp);
        }
      } catch (e) {
        fail(new ConnectionError(hostName, `cannot connect to ${addrPort(ep)}: ${(e as Error).message}`));
      }
    });
  }

  /** Open a forwarded TCP channel through `via` to ep. */
  function forwardTo(via: Conn, ep: Endpoint, hostName: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      try {
        via.client.forwardOut('127.0.0.1', 0, ep.address, ep.port, (err, stream) => {
          if (err) reject(new ConnectionError(hostName, `jump host ${via.label} cannot reach ${addrPort(ep)}: ${err.message}`));
          else resolve(stream);
        });
      } catch (e) {
        reject(new ConnectionError(hostName, `jump host ${via.label} connection is gone: ${(e as Error).message}`));
      }
    });
  }

  /** Wait for entry's connection; a waiter with a signal may give up (see ConnEntry.givenUp). */
  function join(entry: ConnEntry, signal: AbortSignal | undefined): Promise<Conn> {
    if (!signal) {
      entry.pinned = true;
      return entry.promise;
    }
    if (signal.aborted) return entry.promise;
    entry.waiting++;
    const onAbort = (): void => {
      entry.waiting--;
      if (!entry.pinned && entry.waiting === 0 && !entry.conn) entry.givenUp.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    entry.promise.then(done, done);
    return entry.promise;
  }

  /** The shared live connection for a chain (jump hosts first, target last), opened lazily. */
  function getConn(chain: readonly Endpoint[], hostName: string, ask: boolean, signal: AbortSignal | undefined): Promise<Conn> {
    // Hops differing only in how they log in or verify the key are different connections.
    const key = chain.map((e) => (e.proxyCommand ? `[${e.proxyCommand}] ` : '') + endpointLabel(e) + JSON.stringify([e.identityAgent, e.identitiesOnly, e.hostKeyAlias, e.knownHostsFile, e.privateKeyFile])).join(' -> ');
    const existing = conns.get(key);
    if (existing && !(existing.conn && existing.conn.dead)) {
      if (!ask || (existing.ask && !existing.givenUp.signal.aborted)) return join(existing, signal);
      // opened without asking (ahead of need, or for steps since aborted): if it met an unknown key,
      // try again, asking this time
      return existing.promise.catch((e: unknown) => {
        if (e instanceof HostKeyError && e.reason === 'unknown') return getConn(chain, hostName, true, signal);
        throw e;
      });
    }
    const target = chain[chain.length - 1];
    const entry: ConnEntry = { ask, givenUp: new AbortController(), pinned: false, waiting: 0 } as ConnEntry;
    entry.promise = (async () => {
      let sock: Duplex | undefined;
      if (chain.length > 1) {
        const via = await getConn(chain.slice(0, -1), hostName, ask, entry.givenUp.signal);
        sock = await forwardTo(via, target, hostName);
      } else if (target.proxyCommand) {
        sock = spawnProxyCommand(target.proxyCommand, target, hostName);
      }
      const conn = await openClient(target, hostName, sock, ask, entry.givenUp.signal, () => {
        if (conns.get(key) === entry) conns.delete(key);
      });
      entry.conn = conn;
      return conn;
    })();
    entry.promise.catch(() => {
      if (conns.get(key) === entry) conns.delete(key);
    });
    conns.set(key, entry);
    return join(entry, signal);
  }

  /** The login and verification options of a hop (target or jump host), as its ssh config set them. */
  function hopOf(h: JumpHost | Host): Omit<Endpoint, 'proxyCommand'> {
    return {
      ...(h.name !== undefined ? { name: h.name } : {}),
      address: h.address,
      port: h.port,
      user: h.user ?? localUser,
      privateKeyFile: h.privateKeyFile,
      ...(h.identityFiles ? { identityFiles: h.identityFiles } : {}),
      ...('identityFileFrom' in h && h.identityFileFrom ? { keyOptional: true } : {}),
      ...(h.knownHostsFile ? { knownHostsFile: h.knownHostsFile } : {}),
      ...(h.strictHostKeyChecking ? { strict: h.strictHostKeyChecking } : {}),
      ...(h.identityAgent !== undefined ? { identityAgent: h.identityAgent } : {}),
      ...(h.identitiesOnly !== undefined ? { identitiesOnly: h.identitiesOnly } : {}),
      ...(h.hostKeyAlias !== undefined ? { hostKeyAlias: h.hostKeyAlias } : {}),
      ...(h.connectTimeoutMs !== undefined ? { connectTimeoutMs: h.connectTimeoutMs } : {}),
    };
  }

  function chainOf(host: Host): Endpoint[] {
    const hops: Endpoint[] = (host.jump ?? []).map((j, i) => ({ ...hopOf(j), ...(i === 0 && j.proxyCommand ? { proxyCommand: j.proxyCommand } : {}) }));
    hops.push({ ...hopOf(host), ...(host.proxyCommand && hops.length === 0 ? { proxyCommand: host.proxyCommand } : {}) });
    return hops;
  }

  function connect(host: Host, opts: { readonly ask?: boolean; readonly signal?: AbortSignal } = {}): Promise<Conn> {
    return getConn(chainOf(host), host.name, opts.ask ?? true, opts.signal);
  }

  async function close(): Promise<void> {
    for (const c of connecting) {
      destroyedByClose.add(c);
      c.destroy();
    }
    const entries = [...conns.values()];
    conns.clear();
    await Promise.all(
      entries.map(async (e) => {
        const c = await e.promise.catch(() => undefined);
        if (!c || c.dead) return;
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            c.client.destroy();
            resolve();
          }, 2000);
          c.client.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          c.client.end();
        });
      }),
    );
  }

  return { connect, close };
}

/**
 * Bytes from the host are its answer to a keepalive. ssh2 counts a probe as answered only once its
 * reply is parsed, and the reply waits behind up to a window (2 MB) of a streaming channel's data in
 * the client's read queue: with 30 hosts streaming to a player on a loaded machine, live hosts were
 * called dead after 15 s (every step interrupted). OpenSSH counts only silence the same way
 * (ServerAliveInterval). So every read from the socket restarts ssh2's keepalive count (its
 * `_resetKA`, at most four times per interval); a host that goes silent is still declared dead
 * after the same interval x count. Attached before fairReads, while ssh2's own reader flows.
 */
function keepAliveOnData(client: Client, raw: Duplex, intervalMs: number): void {
  const reset = (client as unknown as { _resetKA?: () => void })._resetKA;
  if (typeof reset !== 'function' || intervalMs <= 0) return;
  let last = 0;
  raw.on('data', () => {
    const now = Date.now();
    if (now - last < intervalMs / 4) return;
    last = now;
    reset();
  });
}
