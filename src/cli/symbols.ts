import type { HostStatus } from '../engine/types.js';

/** One compact symbol per host status, shared by `status`, `run` and `plan`. */
export const STATUS_SYMBOL: Readonly<Record<HostStatus, string>> = {
  pending: '·',
  running: '▶',
  ok: '✔',
  failed: '✖',
  skipped: '↷',
  'done-already': '≡',
  interrupted: '⚡',
  'done-manual': '✋',
};

export const STATUS_LEGEND = Object.entries(STATUS_SYMBOL)
  .map(([s, sym]) => `${sym} ${s}`)
  .join('  ');

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms % 60_000) / 1000)}s`;
}
