// ~/.ssh/config support (via the ssh-config package): Host aliases, HostName, User, Port,
// IdentityFile and ProxyJump chains, for inventory hosts and for jump hosts.
// (Synchronous reads: ssh configs are small files read once at start; node:fs/promises costs ~3 ms of
// the start of every command that loads it.)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { BadInputError } from '../errors.js';
import type { JumpHost } from '../types.js';

/** The settings of ~/.ssh/config that apply to one host alias (undefined: not set). */
export interface SshHostSettings {
  readonly hostName?: string;
  readonly user?: string;
  readonly port?: number;
  /** First IdentityFile that exists (else the first), `~`, ${ENV} and tokens expanded. */
  readonly identityFile?: string;
  /** Where the first IdentityFile that applies is written (file, and line when found). */
  readonly identityFileFrom?: { readonly file: string; readonly line?: number };
  /** Every IdentityFile in order (`~`, ${ENV} and tokens expanded); ssh tries each, skipping missing files. */
  readonly identityFiles?: readonly string[];
  /** First UserKnownHostsFile (expanded). */
  readonly userKnownHostsFile?: string;
  /** StrictHostKeyChecking, lower-cased (yes, accept-new, no, ask, off). */
  readonly strictHostKeyChecking?: string;
  /**
   * IdentityAgent as `ssh -G` prints it: `none`, `SSH_AUTH_SOCK` (read from the environment when
   * connecting), `$NAME` (the socket path in that environment variable), or a path (expanded).
   */
  readonly identityAgent?: string;
  /** IdentitiesOnly: only the configured identity files are offered, agent keys only when they match one. */
  readonly identitiesOnly?: boolean;
  /** HostKeyAlias: the name the host key is looked up and recorded under in known_hosts. */
  readonly hostKeyAlias?: string;
  /** ConnectTimeout in seconds (TCP connect and SSH handshake). */
  readonly connectTimeout?: number;
  /** Directives set for this host that change where or how ssh connects and runbook does not apply. */
  readonly unsupported?: readonly string[];
  /** Raw ProxyJump value (never 'none'). */
  readonly proxyJump?: string;
  /** Raw ProxyCommand value ('none' kept: it switches an inherited one off). */
  readonly proxyCommand?: string;
}

/** What a lookup is for: the remote user given outside the config (ansible_user, `-l`), as ssh's `-l`. */
export interface SshLookupOptions {
  readonly user?: string;
}

/** A parsed ssh config file. */
export interface SshConfigFile {
  readonly file: string;
  /** The settings for `alias`; `Match user` sees opts.user (as `ssh -l USER`), else the config's User or the local user. */
  lookup(alias: string, opts?: SshLookupOptions): SshHostSettings;
}

/** The default ssh config path (~/.ssh/config). */
export function defaultSshConfigPath(): string {
  return path.join(os.homedir(), '.ssh', 'config');
}

export function expandHome(p: string): string {
  if (p === '~') return os.homedir();
  if (p.startsWith('~/')) return path.join(os.homedir(), p.slice(2));
  return p;
}

function first(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : v;
}

function localUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** Values of OpenSSH's percent tokens for one host (ssh_config(5) TOKENS). */
interface TokenValues {
  /** %h: the remote host name (after HostName). */
  readonly h: string;
  /** %n: the original host name, as given on the command line. */
  readonly n: string;
  readonly p: number;
  /** %r: the remote user. */
  readonly r: string;
  /** %k: HostKeyAlias, else the original host name. */
  readonly k: string;
}

function expandTokens(value: string, t: TokenValues): string {
  return value.replace(/%([%dhnprukilL])/g, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return os.homedir();
      case 'h':
        return t.h;
      case 'n':
        return t.n;
      case 'p':
        return String(t.p);
      case 'r':
        return t.r;
      case 'k':
        return t.k;
      case 'u':
        return localUserName();
      case 'i':
        return String(os.userInfo().uid);
      case 'l':
        return os.hostname();
      case 'L':
        return os.hostname().split('.')[0];
      default:
        return _m;
    }
  });
}

/** Parse a port number (1..65535) given as number or digits; undefined if invalid. */
export function parsePort(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * Directives that change where or how ssh connects which runbook does not apply: named in a warning
 * for every host they apply to, never silently dropped.
 */
const UNSUPPORTED = [
  'localforward', 'remoteforward', 'dynamicforward', 'controlpath', 'controlmaster', 'globalknownhostsfile',
  'certificatefile', 'pkcs11provider', 'securitykeyprovider',
  'canonicalizehostname', 'bindaddress', 'bindinterface', 'addressfamily', 'hostkeyalgorithms', 'kexalgorithms', 'ciphers', 'macs',
  'requesttty', 'remotecommand', 'sendenv', 'setenv', 'tunnel', 'forwardagent', 'forwardx11', 'pubkeyacceptedalgorithms',
  'pubkeyacceptedkeytypes', 'exitonforwardfailure', 'clearallforwardings', 'knownhostscommand', 'forwardx11trusted', 'gatewayports',
  'proxyusefdpass', 'controlpersist', 'canonicaldomains', 'canonicalizefallbacklocal', 'canonicalizemaxdots', 'canonicalizepermittedcnames',
  'checkhostip', 'verifyhostkeydns', 'revokedhostkeys', 'localcommand', 'preferredauthentications',
  'connectionattempts', 'nohostauthenticationforlocalhost', 'hostbasedauthentication',
];
const DIRECTIVE_NAMES: Record<string, string> = {
  localforward: 'LocalForward', remoteforward: 'RemoteForward', dynamicforward: 'DynamicForward', controlpath: 'ControlPath', controlmaster: 'ControlMaster',
  globalknownhostsfile: 'GlobalKnownHostsFile', certificatefile: 'CertificateFile',
  pkcs11provider: 'PKCS11Provider', securitykeyprovider: 'SecurityKeyProvider', canonicalizehostname: 'CanonicalizeHostname', bindaddress: 'BindAddress',
  bindinterface: 'BindInterface', addressfamily: 'AddressFamily', hostkeyalgorithms: 'HostKeyAlgorithms', kexalgorithms: 'KexAlgorithms', ciphers: 'Ciphers',
  macs: 'MACs', forwardx11trusted: 'ForwardX11Trusted', gatewayports: 'GatewayPorts', proxyusefdpass: 'ProxyUseFdpass', controlpersist: 'ControlPersist',
  canonicaldomains: 'CanonicalDomains', canonicalizefallbacklocal: 'CanonicalizeFallbackLocal', canonicalizemaxdots: 'CanonicalizeMaxDots',
  canonicalizepermittedcnames: 'CanonicalizePermittedCNAMEs', checkhostip: 'CheckHostIP', verifyhostkeydns: 'VerifyHostKeyDNS', updatehostkeys: 'UpdateHostKeys',
  revokedhostkeys: 'RevokedHostKeys', stdinnull: 'StdinNull', forkafterauthentication: 'ForkAfterAuthentication', sessiontype: 'SessionType',
  permitlocalcommand: 'PermitLocalCommand', localcommand: 'LocalCommand', streamlocalbindunlink: 'StreamLocalBindUnlink', streamlocalbindmask: 'StreamLocalBindMask',
  ipqos: 'IPQoS', rekeylimit: 'RekeyLimit', compression: 'Compression', hostbasedauthentication: 'HostbasedAuthentication',
  gssapiauthentication: 'GSSAPIAuthentication', kbdinteractiveauthentication: 'KbdInteractiveAuthentication', passwordauthentication: 'PasswordAuthentication',
  pubkeyauthentication: 'PubkeyAuthentication', numberofpasswordprompts: 'NumberOfPasswordPrompts', addkeystoagent: 'AddKeysToAgent',
  serveraliveinterval: 'ServerAliveInterval (runbook keeps its own keepalive)', serveralivecountmax: 'ServerAliveCountMax', tcpkeepalive: 'TCPKeepAlive',
  connectionattempts: 'ConnectionAttempts', nohostauthenticationforlocalhost: 'NoHostAuthenticationForLocalhost', hashknownhosts: 'HashKnownHosts',
  visualhostkey: 'VisualHostKey', tag: 'Tag', requesttty: 'RequestTTY', remotecommand: 'RemoteCommand', sendenv: 'SendEnv', setenv: 'SetEnv', tunnel: 'Tunnel', forwardagent: 'ForwardAgent',
  forwardx11: 'ForwardX11', pubkeyacceptedalgorithms: 'PubkeyAcceptedAlgorithms',
  pubkeyacceptedkeytypes: 'PubkeyAcceptedKeyTypes', preferredauthentications: 'PreferredAuthentications', batchmode: 'BatchMode',
  exitonforwardfailure: 'ExitOnForwardFailure', clearallforwardings: 'ClearAllForwardings', knownhostscommand: 'KnownHostsCommand',
};

/** `${VAR}` from the environment, as ssh expands it in IdentityFile and similar paths. */
function expandEnv(p: string): string {
  return p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, n: string) => process.env[n] ?? m);
}

/**
 * `Match !user root` (a negated criterion) as a pattern list the ssh-config package evaluates:
 * `user !root,*`; beside a positive one of the same keyword (`user a !user b`) they merge (`a,!b`).
 * A negated criterion whose patterns are negated themselves is left as written (never matches).
 */
function rewriteNegatedCriteria(config: SSHConfig): SSHConfig {
  for (const line of config) {
    const criteria = (line as { criteria?: Record<string, string | unknown[]> }).criteria;
    if (!criteria) continue;
    for (const key of Object.keys(criteria)) {
      const value = criteria[key];
      if (!key.startsWith('!') || typeof value !== 'string' || value.includes('!')) continue;
      const positive = key.slice(1);
      const negated = value.split(',').map((p) => `!${p}`);
      const existing = criteria[positive];
      criteria[positive] = typeof existing === 'string' ? [existing, ...negated].join(',') : [...negated, '*'].join(',');
      delete criteria[key];
    }
  }
  return config;
}

/** Parse ssh config text (exported for tests and callers holding the text). */
export function parseSshConfig(text: string, file: string, origins?: readonly SourceLine[]): SshConfigFile {
  // `Match exec` commands are never run: a host they would select is named in a warning.
  const matchExec = /^\s*match\b.*\bexec\b/im.test(text);
  let config: SSHConfig;
  try {
    config = rewriteNegatedCriteria(SSHConfig.parse(text));
  } catch (e) {
    throw new BadInputError(`cannot parse ssh config: ${(e as Error).message}`, { file, hint: 'check the file with `ssh -G <host>`' });
  }
  // `Match host` sees the HostName with %h expanded, as ssh does; the ssh-config package matches the
  // raw value, so a config whose HostName lines hold %h is read again per alias with %h replaced.
  const hostNameTokens = /^\s*hostname\s*(?:=\s*|\s)\S*%h/im.test(text);
  // `?` in a Host pattern is exactly one character for ssh; the ssh-config package reads it as "one
  // or none", so such patterns are decided here per alias (replaced by `*` or by a name that never matches).
  const questionPatterns = /^\s*host\s*(?:=\s*|\s).*\?/im.test(text);
  const configFor = (alias: string): SSHConfig => {
    if (!hostNameTokens && !questionPatterns) return config;
    let t = text;
    if (hostNameTokens) t = t.replace(/^(\s*hostname\s*(?:=\s*|\s))(.*)$/gim, (_m, pre: string, v: string) => pre + v.replace(/%(%|h)/g, (tok: string, c: string) => (c === 'h' ? alias : tok)));
    if (questionPatterns) t = t.replace(/^(\s*host\s*(?:=\s*|\s))(.*)$/gim, (_m, pre: string, v: string) => pre + v.trim().split(/\s+/).map((p) => decideQuestionPattern(p, alias)).join(' '));
    return rewriteNegatedCriteria(SSHConfig.parse(t));
  };
  return {
    file,
    lookup(alias: string, opts: SshLookupOptions = {}): SshHostSettings {
      // matchExec: false — never run `Match exec` commands from the config. A user given outside the
      // config is set first, as `ssh -l USER` does, so `Match user` sees it and User lines do not win.
      const c = configFor(alias).compute({ Host: alias, ...(opts.user !== undefined ? { User: opts.user } : {}) }, { ignoreCase: true, matchExec: false });
      const portText = first(c.port);
      const port = portText === undefined ? undefined : parsePort(portText);
      if (portText !== undefined && port === undefined) {
        throw new BadInputError(`bad Port \`${portText}\` for host \`${alias}\` in ssh config`, { file, hint: 'a port is a number from 1 to 65535' });
      }
      const hostKeyAlias = first(c.hostkeyalias);
      const user = first(c.user);
      // HostName takes %h (the alias) and %%; every path directive the whole token set.
      const hostNameRaw = first(c.hostname);
      const hostName = hostNameRaw === undefined ? undefined : hostNameRaw.replace(/%([%h])/g, (_m, t: string) => (t === '%' ? '%' : alias));
      const tokens: TokenValues = { h: hostName ?? alias, n: alias, p: port ?? 22, r: user ?? localUserName(), k: hostKeyAlias ?? alias };
      const expandPath = (p: string): string => expandHome(expandEnv(expandTokens(p, tokens)));
      const ids = (Array.isArray(c.identityfile) ? c.identityfile : c.identityfile === undefined ? [] : [c.identityfile])
        .filter((i) => i.toLowerCase() !== 'none')
        .map(expandPath);
      // ssh tries every IdentityFile in order and skips missing ones: the first that exists leads.
      const identityFile = ids.find((i) => existsSync(i)) ?? ids[0];
      // Where the first IdentityFile that applies is written (the first line giving that value).
      const rawFirst = first(c.identityfile);
      const at = rawFirst === undefined ? -1 : (origins ?? sourceLines(text, file)).findIndex((l) => identityLineValue(l.text) === rawFirst);
      const origin = at >= 0 ? (origins ?? sourceLines(text, file))[at] : undefined;
      const identityFileFrom = rawFirst === undefined || rawFirst.toLowerCase() === 'none' ? undefined : { file: origin?.file ?? file, ...(origin ? { line: origin.line } : {}) };
      const unsupported = UNSUPPORTED.filter((d) => c[d] !== undefined).map((d) => DIRECTIVE_NAMES[d] ?? d);
      if (matchExec) unsupported.push('Match exec');
      // ProxyJump and ProxyCommand compete: whichever applies first in the file wins and the other is
      // ignored, as OpenSSH 9 reads them ('ProxyCommand none' first switches a later ProxyJump off;
      // 'ProxyJump none' first does not switch a later ProxyCommand off).
      let pj = first(c.proxyjump);
      let pc = first(c.proxycommand);
      if (pj !== undefined && pc !== undefined && pj.toLowerCase() !== 'none') {
        const lines = origins ?? sourceLines(text, file);
        if (directiveLine(lines, 'proxyjump', pj) < directiveLine(lines, 'proxycommand', pc)) pc = undefined;
        else pj = undefined;
      }
      const proxyJump = pj === undefined || pj.toLowerCase() === 'none' ? undefined : pj;
      const proxyCommand = pc;
      const khRaw = first(c.userknownhostsfile)?.trim().split(/\s+/)[0];
      const userKnownHostsFile = khRaw === undefined ? undefined : expandPath(khRaw);
      const strictHostKeyChecking = first(c.stricthostkeychecking)?.toLowerCase();
      const agentRaw = first(c.identityagent);
      const identityAgent = agentRaw === undefined || agentRaw === 'SSH_AUTH_SOCK' || agentRaw.toLowerCase() === 'none' || agentRaw.startsWith('$') && !agentRaw.startsWith('${')
        ? agentRaw
        : expandPath(agentRaw);
      const onlyRaw = first(c.identitiesonly)?.toLowerCase();
      if (onlyRaw !== undefined && !['yes', 'no', 'true', 'false'].includes(onlyRaw)) {
        throw new BadInputError(`bad IdentitiesOnly \`${onlyRaw}\` for host \`${alias}\` in ssh config`, { file, hint: 'yes or no' });
      }
      const timeoutRaw = first(c.connecttimeout);
      const connectTimeout = timeoutRaw === undefined || timeoutRaw.toLowerCase() === 'none' ? undefined : Number(timeoutRaw);
      if (connectTimeout !== undefined && !(Number.isInteger(connectTimeout) && connectTimeout > 0)) {
        throw new BadInputError(`bad ConnectTimeout \`${timeoutRaw}\` for host \`${alias}\` in ssh config`, { file, hint: 'a number of seconds, or none' });
      }
      return {
        hostName,
        user,
        port,
        identityFile,
        ...(identityFileFrom ? { identityFileFrom } : {}),
        userKnownHostsFile,
        strictHostKeyChecking,
        ...(ids.length > 1 ? { identityFiles: ids } : {}),
        proxyJump,
        proxyCommand,
        ...(identityAgent !== undefined ? { identityAgent } : {}),
        ...(onlyRaw !== undefined ? { identitiesOnly: onlyRaw === 'yes' || onlyRaw === 'true' } : {}),
        ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
        ...(connectTimeout !== undefined ? { connectTimeout } : {}),
        ...(unsupported.length ? { unsupported } : {}),
      };
    },
  };
}

const MAX_INCLUDE_DEPTH = 16;

/** The value of an `IdentityFile` line (quotes removed), or undefined for any other line. */
function identityLineValue(line: string): string | undefined {
  const m = /^\s*identityfile\s*(?:=\s*|\s)\s*(.*?)\s*$/i.exec(line);
  return m ? m[1].replace(/^"(.*)"$/, '$1') : undefined;
}

/** A Host pattern holding `?` decided for one alias as ssh does: `*` when it matches, else a name that never does. */
function decideQuestionPattern(pattern: string, alias: string): string {
  if (!pattern.includes('?')) return pattern;
  const negated = pattern.startsWith('!');
  const body = negated ? pattern.slice(1) : pattern;
  const matches = wildcardToRegExp(body).test(alias); // case-sensitive, as ssh matches the name given
  return (negated ? '!' : '') + (matches ? '*' : 'runbook-no-such-host.invalid');
}

/** Index of the first line giving `keyword` the value `value` (quotes removed), or Infinity. */
function directiveLine(lines: readonly SourceLine[], keyword: string, value: string): number {
  const re = new RegExp(`^\\s*${keyword}\\s*(?:=\\s*|\\s)\\s*(.*?)\\s*$`, 'i');
  const i = lines.findIndex((l) => {
    const m = re.exec(l.text);
    return m !== null && m[1].replace(/^"(.*)"$/, '$1') === value;
  });
  return i < 0 ? Infinity : i;
}

function wildcardToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

/** Files an `Include` argument names: `~` expanded, relative to ~/.ssh, `*`/`?` in the last part. */
async function includeTargets(arg: string, sshDir: string): Promise<string[]> {
  const p = path.resolve(sshDir, expandHome(arg));
  const base = path.basename(p);
  if (!/[*?]/.test(base)) return existsSync(p) ? [p] : [];
  const dir = path.dirname(p);
  if (/[*?]/.test(dir)) return []; // wildcards in directories are not supported
  try {
    const re = wildcardToRegExp(base);
    return readdirSync(dir).filter((f) => re.test(f)).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

/** One line of the inlined config and where it was written. */
interface SourceLine {
  readonly text: string;
  readonly file: string;
  readonly line: number;
}

const sourceLines = (text: string, file: string): SourceLine[] => text.split(/\r?\n/).map((t, i) => ({ text: t, file, line: i + 1 }));

/**
 * Inline `Include` directives (as OpenSSH reads them: in place, relative to ~/.ssh, missing files
 * ignored), because the ssh-config package does not follow them. An Include inside a Host/Match
 * block contributes only its directives before its first Host/Match line. Each line keeps the file
 * and line it came from (for messages naming an IdentityFile line).
 */
async function inlineIncludes(lines: readonly SourceLine[], depth: number): Promise<SourceLine[]> {
  if (depth > MAX_INCLUDE_DEPTH || !lines.some((l) => /^\s*include\b/i.test(l.text))) return [...lines];
  const sshDir = path.join(os.homedir(), '.ssh');
  const out: SourceLine[] = [];
  let section: SourceLine | undefined; // the Host/Match line the current lines belong to
  for (const line of lines) {
    const m = /^\s*include\s*(?:=\s*|\s)(.*)$/i.exec(line.text);
    if (!m) {
      if (/^\s*(host|match)\b/i.test(line.text)) section = { ...line, text: line.text.trim() };
      out.push(line);
      continue;
    }
    const conditional = section !== undefined && !/^host\s+\*$/i.test(section.text);
    for (const arg of m[1].trim().split(/\s+/).filter(Boolean)) {
      for (const f of await includeTargets(arg.replace(/^"(.*)"$/, '$1'), sshDir)) {
        let included: SourceLine[];
        try {
          included = await inlineIncludes(sourceLines(readFileSync(f, 'utf8'), f), depth + 1);
        } catch {
          continue; // unreadable included files are skipped, as a directory or a dangling link would be
        }
        if (conditional) {
          // Inside a Host/Match block the include applies only when that block matches: keep the
          // file's leading directives (they belong to the block); its own Host/Match blocks are dropped.
          const cut = included.findIndex((l) => /^\s*(host|match)\b/i.test(l.text));
          if (cut >= 0) included = included.slice(0, cut);
        }
        out.push(...included);
      }
    }
    // Lines after the Include still belong to the enclosing section, whatever the file opened.
    if (section) out.push(section);
  }
  return out;
}

/**
 * Load an ssh config file. `undefined`: ~/.ssh/config when it exists; `null`: none.
 * An explicitly named file that does not exist is a BadInputError.
 */
export async function loadSshConfig(file: string | null | undefined): Promise<SshConfigFile | undefined> {
  if (file === null) return undefined;
  const target = file ?? defaultSshConfigPath();
  if (file === undefined && !existsSync(target)) return undefined;
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (e) {
    throw new BadInputError(`cannot read ssh config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      file: target,
      hint: 'check the path given for the ssh config',
    });
  }
  const lines = await inlineIncludes(sourceLines(text, target), 0);
  return parseSshConfig(lines.map((l) => l.text).join('\n'), target, lines);
}

/** One `[user@]host[:port]` (or `ssh://[user@]host[:port]`) element of a ProxyJump list. */
export interface JumpSpec {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
}

/** Parse a comma-separated ProxyJump / `-J` value. Throws BadInputError on a malformed element. */
export function parseJumpSpecs(spec: string, where: { file?: string; line?: number } = {}): JumpSpec[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .map((raw) => {
      const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::([^:]*))?$/.exec(raw);
      if (!m) throw new BadInputError(`malformed jump host \`${raw}\``, { ...where, hint: 'use [user@]host[:port], comma-separated' });
      const host = m[2].replace(/^\[(.*)\]$/, '$1');
      let port: number | undefined;
      if (m[3] !== undefined) {
        port = parsePort(m[3]);
        if (port === undefined) throw new BadInputError(`bad port in jump host \`${raw}\``, { ...where, hint: 'a port is a number from 1 to 65535' });
      }
      return { user: m[1], host, port };
    });
}

const STRICT_VALUES: Record<string, NonNullable<JumpHost['strictHostKeyChecking']>> = { yes: 'yes', 'accept-new': 'accept-new', no: 'no', off: 'no', ask: 'ask' };

/** StrictHostKeyChecking as runbook applies it; a value ssh does not know is bad input. */
export function strictValue(raw: string | undefined, where: { file?: string; line?: number; host: string }): JumpHost['strictHostKeyChecking'] {
  if (raw === undefined) return undefined;
  const v = STRICT_VALUES[raw.toLowerCase()];
  if (v === undefined) throw new BadInputError(`bad StrictHostKeyChecking \`${raw}\` for host \`${where.host}\``, { file: where.file, line: where.line, hint: 'yes, accept-new, no or ask' });
  return v;
}

/** The login options of one hop from its ssh config settings (everything but address, port, user). */
export function hopOptions(s: SshHostSettings, file: string | undefined, host: string): Omit<JumpHost, 'address' | 'port' | 'user' | 'name' | 'proxyCommand'> {
  const ids = s.identityFiles ?? (s.identityFile !== undefined ? [s.identityFile] : []);
  const more = ids.filter((i) => i !== s.identityFile);
  const strict = strictValue(s.strictHostKeyChecking, { file, host });
  return {
    ...(s.identityFile !== undefined ? { privateKeyFile: s.identityFile } : {}),
    ...(more.length ? { identityFiles: more } : {}),
    ...(s.userKnownHostsFile !== undefined ? { knownHostsFile: path.resolve(s.userKnownHostsFile) } : {}),
    ...(strict !== undefined ? { strictHostKeyChecking: strict } : {}),
    ...(s.identityAgent !== undefined ? { identityAgent: s.identityAgent } : {}),
    ...(s.identitiesOnly !== undefined ? { identitiesOnly: s.identitiesOnly } : {}),
    ...(s.hostKeyAlias !== undefined ? { hostKeyAlias: s.hostKeyAlias } : {}),
    ...(s.connectTimeout !== undefined ? { connectTimeoutMs: s.connectTimeout * 1000 } : {}),
  };
}

/** At most this many jump hosts in one chain (nested ProxyJump lines included). */
const MAX_JUMP_HOPS = 16;

/**
 * Resolve a ProxyJump chain (outermost first), as `ssh -J` does: each jump host is looked up in the
 * ssh config with its own user (Match user sees the `user@` of the spec), and gets its HostName,
 * User, Port, every IdentityFile, IdentityAgent, IdentitiesOnly, UserKnownHostsFile,
 * StrictHostKeyChecking, HostKeyAlias and ConnectTimeout. The first hop's own ProxyJump is prepended
 * (or its ProxyCommand used), as OpenSSH does; a loop or more than 16 hops is bad input.
 * `unsupported` collects, per directive, the jump hosts whose config sets something runbook does not apply.
 */
export function resolveJumpChain(
  config: SshConfigFile | undefined,
  spec: string,
  where: { file?: string; line?: number } = {},
  seen: ReadonlySet<string> = new Set(),
  unsupported?: Map<string, Set<string>>,
): JumpHost[] {
  const specs = parseJumpSpecs(spec, where);
  const chain: JumpHost[] = [];
  specs.forEach((j, i) => {
    const s = config?.lookup(j.host, j.user !== undefined ? { user: j.user } : {}) ?? {};
    for (const d of s.unsupported ?? []) unsupported?.set(d, (unsupported.get(d) ?? new Set()).add(`jump host ${j.host}`));
    let proxyCommand: string | undefined;
    if (i === 0 && s.proxyCommand !== undefined && s.proxyCommand !== 'none') proxyCommand = s.proxyCommand;
    else if (i === 0 && s.proxyJump) {
      if (seen.has(j.host)) {
        throw new BadInputError(`ProxyJump loop through \`${j.host}\``, { file: config?.file, hint: 'check the ProxyJump lines of the ssh config' });
      }
      chain.push(...resolveJumpChain(config, s.proxyJump, where, new Set([...seen, j.host]), unsupported));
    }
    const user = j.user ?? s.user;
    chain.push({
      name: j.host,
      address: s.hostName ?? j.host,
      port: j.port ?? s.port ?? 22,
      ...(user !== undefined ? { user } : {}),
      ...hopOptions(s, config?.file, j.host),
      ...(proxyCommand !== undefined ? { proxyCommand } : {}),
    });
  });
  if (chain.length > MAX_JUMP_HOPS) {
    throw new BadInputError(`ProxyJump chain \`${spec}\` has more than ${MAX_JUMP_HOPS} hops`, { file: config?.file ?? where.file, line: where.line, hint: 'check the ProxyJump lines of the ssh config' });
  }
  return chain;
}
