// Where `tmux -L NAME` keeps its server's socket. tmux 3.3 leaves the socket file behind when its
// server is told to exit (kill-server), so whoever started the server removes it after: the tests
// and benches start hundreds of private servers.
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export function tmuxSocketPath(name: string): string {
  return join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, name);
}

/** Remove the socket file of the server `name`, once that server has been told to exit. */
export function removeTmuxSocket(name: string): void {
  rmSync(tmuxSocketPath(name), { force: true });
}
