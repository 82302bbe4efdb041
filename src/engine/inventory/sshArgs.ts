// Ansible's ssh argument strings (ansible_ssh_common_args / ansible_ssh_extra_args): the options
// that change where or how runbook connects.
import { BadInputError } from '../errors.js';
import { parsePort } from './sshConfig.js';

/** Split a shell-like argument string (quotes respected, no expansion). */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\\.|[^\s"'\\]+)|(\s+)/g;
  let cur: string | undefined;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[4] !== undefined) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
      continue;
    }
    const part = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] !== undefined ? m[2] : m[3].replace(/\\(.)/g, '$1');
    cur = (cur ?? '') + part;
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** The ProxyJump value in ssh arguments (`-J x`, `-Jx`, `-o ProxyJump=x`, `-oProxyJump x`). */
export function proxyJumpFromSshArgs(args: string): string | undefined {
  const w = shellWords(args);
  for (let i = 0; i < w.length; i++) {
    const a = w[i];
    if (a === '-J') return w[i + 1];
    if (a.startsWith('-J')) return a.slice(2);
    let opt: string | undefined;
    if (a === '-o') opt = w[++i];
    else if (a.startsWith('-o')) opt = a.slice(2);
    if (opt === undefined) continue;
    const m = /^\s*proxyjump\s*(?:=\s*|\s+)(.*)$/i.exec(opt);
    if (m) return m[1] !== '' ? m[1] : w[i + 1];
    if (/^\s*proxyjump\s*$/i.test(opt)) return w[i + 1];
  }
  return undefined;
}


/** What runbook honours from ansible_ssh_common_args / ansible_ssh_extra_args (first value wins, as in ssh). */
export interface SshArgs {
  readonly proxyJump?: string;
  readonly proxyCommand?: string;
  readonly configFile?: string;
  readonly identityFile?: string;
  readonly port?: number;
  readonly user?: string;
  readonly userKnownHostsFile?: string;
  readonly strictHostKeyChecking?: string;
  /** Options present but not honoured (named in a warning). */
  readonly ignored: readonly string[];
}

/** ssh -o options that only tune a connection runbook manages itself: ignored without a word. */
const HARMLESS = new Set([
  'controlmaster', 'controlpersist', 'serveraliveinterval', 'serveralivecountmax', 'compression', 'loglevel', 'connectionattempts',
  'tcpkeepalive', 'preferredauthentications', 'pubkeyauthentication', 'passwordauthentication', 'kbdinteractiveauthentication',
  'batchmode', 'gssapiauthentication', 'forwardagent', 'addkeystoagent', 'hashknownhosts', 'visualhostkey', 'checkhostip',
]);

/** Flags of ssh that take no argument. */
const NO_ARG = new Set('46AaCfGgKkMNnqsTtVvXxYy'.split(''));

/**
 * Parse ssh argument strings: `-J`, `-o ProxyJump=`, `-o ProxyCommand=`, `-F`, `-i`, `-p`, `-l`,
 * `-o Port/User/IdentityFile`. A malformed value throws BadInputError naming the variable's line.
 */
export function parseSshArgs(sources: readonly { text: string; name: string; file?: string; line?: number }[]): SshArgs {
  const out: { -readonly [K in keyof SshArgs]: SshArgs[K] } = { ignored: [] };
  const ignored: string[] = [];
  const set = <K extends keyof SshArgs>(k: K, v: SshArgs[K]): void => {
    if (out[k] === undefined) out[k] = v;
  };
  for (const src of sources) {
    const w = shellWords(src.text);
    const bad = (msg: string): never => {
      throw new BadInputError(`${src.name}: ${msg}`, { file: src.file, line: src.line, hint: 'the value is read like ssh command-line arguments' });
    };
    const option = (opt: string, next: () => string | undefined): void => {
      const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)?(.*)$/.exec(opt);
      if (!m) return bad(`cannot read -o ${opt}`);
      const key = m[1].toLowerCase();
      const value = m[2] !== '' ? m[2] : (next() ?? bad(`-o ${m[1]} needs a value`));
      switch (key) {
        case 'proxyjump':
          return set('proxyJump', value);
        case 'proxycommand':
          return set('proxyCommand', value);
        case 'port': {
          const p = parsePort(value);
          if (p === undefined) bad(`bad port \`${value}\``);
          return set('port', p);
        }
        case 'user':
          return set('user', value);
        case 'identityfile':
          return set('identityFile', value);
        case 'userknownhostsfile':
          return set('userKnownHostsFile', value.trim().split(/\s+/)[0]);
        case 'stricthostkeychecking':
          return set('strictHostKeyChecking', value.toLowerCase());
        default:
          if (!HARMLESS.has(key)) ignored.push(`-o ${m[1]}=${value}`);
      }
    };
    for (let i = 0; i < w.length; i++) {
      const a = w[i];
      const next = (): string | undefined => w[++i];
      if (!a.startsWith('-') || a.length < 2) {
        ignored.push(a);
        continue;
      }
      const flag = a[1];
      const inline = a.length > 2 ? a.slice(2) : undefined;
      const arg = (): string => inline ?? next() ?? bad(`${a} needs a value`);
      if (NO_ARG.has(flag)) {
        if (inline !== undefined && [...inline].every((c) => NO_ARG.has(c))) continue;
        if (inline === undefined) continue;
      }
      switch (flag) {
        case 'J':
          set('proxyJump', arg());
          break;
        case 'o':
          option(arg(), next);
          break;
        case 'F':
          set('configFile', arg());
          break;
        case 'i':
          set('identityFile', arg());
          break;
        case 'p': {
          const v = arg();
          const p = parsePort(v);
          if (p === undefined) bad(`bad port \`${v}\``);
          set('port', p);
          break;
        }
        case 'l':
          set('user', arg());
          break;
        default:
          ignored.push(a);
          if ('bBcDEeILmOQRSWw'.includes(flag) && inline === undefined) ignored.push(next() ?? '');
      }
    }
  }
  out.ignored = ignored.filter((s) => s !== '');
  return out;
}
