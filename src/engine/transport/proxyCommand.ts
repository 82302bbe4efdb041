// ProxyCommand as OpenSSH runs it: `sh -c` with %h %p %r %n %% expanded, the SSH stream over its
// stdin/stdout, killed when the connection closes. Its stderr is kept for the error message.
import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { ConnectionError } from '../errors.js';

export interface ProxyTarget {
  readonly address: string;
  readonly port: number;
  readonly user: string;
}

/** Expand OpenSSH's ProxyCommand tokens. */
export function expandProxyCommand(command: string, t: ProxyTarget, alias: string): string {
  return command.replace(/%([%hprn])/g, (_m, c: string) => (c === '%' ? '%' : c === 'h' ? t.address : c === 'p' ? String(t.port) : c === 'r' ? t.user : alias));
}

/** Spawn the command and return a duplex over its stdio (as ssh2's `sock`). */
export function spawnProxyCommand(command: string, t: ProxyTarget, hostName: string): Duplex {
  const expanded = expandProxyCommand(command, t, hostName);
  // exec, as OpenSSH does, so that killing the shell kills the command.
  const child = spawn('/bin/sh', ['-c', `exec ${expanded}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  duplex.on('close', kill);
  child.on('error', (e) => duplex.destroy(new ConnectionError(hostName, `ProxyCommand \`${expanded}\` could not start: ${e.message}`)));
  child.on('exit', (code, signal) => {
    // The stream ends with the command; say why when it failed.
    if (code !== 0 && code !== null) {
      duplex.destroy(new ConnectionError(hostName, `ProxyCommand \`${expanded}\` exited with ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`, 'run the command by hand to see why it cannot reach the host'));
    } else if (signal && signal !== 'SIGTERM') duplex.destroy(new ConnectionError(hostName, `ProxyCommand \`${expanded}\` was killed by ${signal}`));
  });
  (duplex as Duplex & { setNoDelay?: () => void }).setNoDelay = () => undefined;
  return duplex;
}
