// Durations as people read them, shared by the headless output, the player and error messages.

/** "850ms", "12s", "1m05s", "2h03m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  if (h > 0) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${m}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * The longest duration runbook accepts (timeout=, delay=, --connect-timeout): 576h (24 days).
 * Node's timers fire at once for anything over 2^31-1 ms (24.8 days), so a longer value would
 * silently mean "1 ms"; it is refused as bad input instead.
 */
export const MAX_DURATION_MS = 576 * 3_600_000;

/** Why a duration is refused, or undefined when it is within MAX_DURATION_MS. */
export function durationTooLong(ms: number): string | undefined {
  return ms > MAX_DURATION_MS ? `longer than the longest supported duration, 576h (24 days)` : undefined;
}
