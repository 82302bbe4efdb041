// Shared fixtures for the state tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { HostStepRecord, HostStatus } from '../../src/engine/types.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory removed after the test. */
export function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'runbook-state-'));
  made.push(d);
  return d;
}

/** A minimal valid record. */
export function rec(status: HostStatus = 'ok', extra: Partial<HostStepRecord> = {}): HostStepRecord {
  return { status, attempts: 1, hash: 'h1', ...extra };
}

/** A runbook path and state file path inside a fresh temp dir. */
export function setup(): { dir: string; runbookPath: string; stateFile: string } {
  const dir = tempDir();
  return { dir, runbookPath: path.join(dir, 'site.md'), stateFile: path.join(dir, '.runbook', 'site.state.jsonl') };
}
