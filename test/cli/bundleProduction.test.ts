// The built CLI runs React in its production build, decided when the bundle is built
// (scripts/bundle.mjs), not by setting NODE_ENV in the environment its steps inherit.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('the bundle is built for production', () => {
  it('holds the production builds of React, its reconciler and scheduler, and none of their development builds', () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const inputs = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(inputs).toContain('node_modules/react-reconciler/cjs/react-reconciler.production.js');
    expect(inputs).toContain('node_modules/react/cjs/react.production.js');
    expect(inputs.filter((i) => /\.development\.js$/.test(i))).toEqual([]);
  });

  it('a step sees NODE_ENV only if the operator set it', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', '# Env\n\n```bash {id=env}\necho "NODE_ENV=${NODE_ENV-unset}"\n```\n');
    const unset = await runCli(['run', book, '--follow', '--state', join(dir, 'a.jsonl')], { env: { NODE_ENV: undefined } });
    expect(unset.code, unset.stderr).toBe(0);
    expect(unset.stdout).toContain('NODE_ENV=unset');
    const given = await runCli(['run', book, '--follow', '--state', join(dir, 'b.jsonl')], { env: { NODE_ENV: 'staging' } });
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toContain('NODE_ENV=staging');
  });
});
