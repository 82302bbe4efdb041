import { describe, it, expect } from 'vitest';
import { resolveStatePaths } from '../../src/engine/state/paths.js';

describe('resolveStatePaths', () => {
  it('puts the state file beside the runbook, in <runbook dir>/.runbook/<name>.state.jsonl, whatever the cwd', () => {
    const p = resolveStatePaths('books/site.md', { cwd: '/srv/ops' });
    expect(p.stateFile).toBe('/srv/ops/books/.runbook/site.state.jsonl');
    expect(p.dir).toBe('/srv/ops/books/.runbook');
    expect(resolveStatePaths('/srv/ops/books/site.md', { cwd: '/tmp' }).stateFile).toBe(p.stateFile);
  });

  it('puts logs under <dir>/logs/<name>/ and the lock next to the state file', () => {
    const p = resolveStatePaths('/a/b/site.md', { cwd: '/srv/ops' });
    expect(p.logsDir).toBe('/a/b/.runbook/logs/site');
    expect(p.lockFile).toBe('/a/b/.runbook/site.state.jsonl.lock');
  });

  it('uses a directory runbook’s own name', () => {
    expect(resolveStatePaths('/a/cluster/', { cwd: '/w' }).stateFile).toBe('/a/.runbook/cluster.state.jsonl');
  });

  it('honours an explicit state file, relative to cwd, with logs beside it', () => {
    const p = resolveStatePaths('site.md', { cwd: '/w', stateFile: 'st/prod.jsonl' });
    expect(p).toEqual({ stateFile: '/w/st/prod.jsonl', dir: '/w/st', logsDir: '/w/st/logs/site', lockFile: '/w/st/prod.jsonl.lock', varsFile: '/w/st/site.vars.yaml' });
  });
});
