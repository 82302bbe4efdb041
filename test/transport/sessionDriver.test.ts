// The session driver (the bash text a persistent session runs on the host), run here by a local
// bash: a step's own exit 127 (command not found) is reported as such, and the driver waits for
// the step only while the step's pid is its own child.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { driverScript, stepCommand } from '../../src/engine/transport/sessionProtocol.js';

const N = 'abcdef0123456789abcdef01';

/** Run the driver in `bash -s`, one step, and return what the driver printed on stdout. */
function runOneStep(step: string, prelude = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const bash = spawn('bash', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => {
      bash.kill('SIGKILL');
      reject(new Error(`no end marker within 20 s; stdout so far:\n${out}`));
    }, 20_000);
    bash.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (out.includes(`__RB_E_${N}_`) && /__RB_E_\w+_\d+_\w*__\n/.test(out)) {
        clearTimeout(timer);
        bash.stdin.end();
        resolve(out);
      }
    });
    bash.stdin.write(driverScript('ready0') + prelude + stepCommand(N, step));
  });
}

describe('session driver', () => {
  it('reports a step\'s own exit 127 (command not found) as exit 127', async () => {
    const out = await runOneStep('no-such-command-rb\n');
    expect(out).toMatch(new RegExp(`__RB_E_${N}_127___\\n`));
  });

  it('reports a step whose record bash lost as LOST, and stops waiting once the pid is not the driver\'s child', async () => {
    // Stand-in for bash losing the step's record (seen once: the pid lived on as another process, the
    // old `kill -0` test passed, and the driver spun for an hour writing wait's error to a file):
    // wait fails as bash's does; the pid looks like the driver's child for three waits, then not.
    const prelude = [
      'wait() { builtin wait "$@" 2>/dev/null; echo "main: line 1: wait_for: No record of process ${@: -1}" >&2; return 127; }',
      '__rb_calls=0',
      '__rb_mine() { ((++__rb_calls <= 3)); }',
      '',
    ].join('\n');
    const out = await runOneStep('echo hi\n', prelude);
    expect(out).toMatch(new RegExp(`__RB_E_${N}_127_LOST__\\n`));
  });
});
