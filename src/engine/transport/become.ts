// Who a step runs as on a host: a `sudo` step as root, otherwise the host's ansible_become user
// (every step on that host through sudo), otherwise the login user.
import type { Host } from '../types.js';

/** True when the login user's uid must be known to decide (root needs no `sudo` to become root). */
export function needsSudoDecision(host: Host, stepSudo: boolean | undefined): boolean {
  return Boolean(stepSudo || host.become);
}

/** The words that start `bash -s` as the right user: '', `sudo -n ` or `sudo -n -u USER `. */
export function sudoPrefix(host: Host, stepSudo: boolean | undefined, loginIsRoot: boolean): string {
  const user = stepSudo ? 'root' : host.become?.user;
  if (user === undefined) return '';
  if (user === 'root') return loginIsRoot ? '' : 'sudo -n ';
  return `sudo -n -u '${user.replace(/'/g, `'\\''`)}' `;
}
