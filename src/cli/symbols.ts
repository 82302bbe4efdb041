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
  unreachable: '⊘',
};

/** Each status with its symbol: `✔ ok`. */
export const STATUS_LEGEND_PARTS: readonly string[] = Object.entries(STATUS_SYMBOL).map(([s, sym]) => `${sym} ${s}`);

export { formatDuration } from '../engine/duration.js';
