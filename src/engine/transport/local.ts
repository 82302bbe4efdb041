// Local transport: runs step scripts on this machine with `bash -s` in their own process group.
import { spawn } from 'node:child_process';
import type { Host } from '../types.js';
import type { ExecOptions, ExecResult, Transport } from './types.js';
import { wrapScript } from './script.js';
import { sudoPrefix } from './become.js';

export interface LocalTransportOptions {
  /** After abort: SIGTERM the process group, then SIGKILL it after this many ms (default 3000). */
  readonly killGraceMs?: number;
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // group already gone
  }
}

/** A Transport that executes scripts with a local `bash -s` (or `sudo -n bash -s` when not root). */
export function createLocalTransport(opts: LocalTransportOptions = {}): Transport {
  const killGraceMs = opts.killGraceMs ?? 3000;
  const running = new Set<number>();

  function exec(host: Host, script: string, eo: ExecOptions = {}): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      const input = wrapScript(script, eo.env, eo.attemptMarker); // a throw here rejects the promise
      const started = Date.now();
      if (eo.signal?.aborted) {
        resolve({ exitCode: null, signal: null, durationMs: 0, aborted: true });
        return;
      }
      // A `sudo` step runs as root; on a host with ansible_become every step runs as the become user.
      const prefix = sudoPrefix(host, eo.sudo, isRoot());
      const [cmd, args] = prefix ? ['sudo', prefix === 'sudo -n ' ? ['-n', 'bash', '-s'] : ['-n', '-u', host.become!.user, 'bash', '-s']] : ['bash', ['-s']];
      const child = spawn(cmd, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const pid = child.pid;
      let aborted = false;
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        if (aborted || pid === undefined) return;
        aborted = true;
        killGroup(pid, 'SIGTERM');
        killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), killGraceMs);
      };
      if (pid !== undefined) running.add(pid);
      eo.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => eo.onData?.(c, 'stdout'));
      child.stderr.on('data', (c: Buffer) => eo.onData?.(c, 'stderr'));
      child.stdin.on('error', () => undefined); // script exited before reading all of stdin
      child.on('error', (e) => {
        eo.signal?.removeEventListener('abort', onAbort);
        reject(e);
      });
      child.on('close', (code, sig) => {
        if (pid !== undefined) running.delete(pid);
        eo.signal?.removeEventListener('abort', onAbort);
        // After an abort the SIGKILL timer stays armed for group members that do not hold stdio.
        killTimer?.unref();
        resolve({
          exitCode: aborted ? null : code,
          signal: sig ?? null,
          durationMs: Date.now() - started,
          aborted,
        });
      });
      child.stdin.end(input);
    });
  }

  return {
    exec,
    async close() {
      for (const pid of running) killGroup(pid, 'SIGKILL');
    },
  };
}
