// Tiny hooks: each subscribes to one thing and cleans up.
import { useEffect, useRef, useState } from 'react';
import { useStdout } from 'ink';
import { dismissMessage, type FlashMessage, type RunStore, type RunStoreState } from '../engine/store.js';

/**
 * Milliseconds the player has spent running steps, refreshed every second only while something
 * runs: an idle player has no timer and so writes nothing to the terminal.
 */
export function useRunClock(running: boolean, now: () => number = Date.now): number {
  const acc = useRef(0);
  const since = useRef<number | undefined>(undefined);
  const [, tick] = useState(0);
  if (running && since.current === undefined) since.current = now();
  if (!running && since.current !== undefined) {
    acc.current += now() - since.current;
    since.current = undefined;
  }
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [running]);
  return acc.current + (since.current !== undefined ? now() - since.current : 0);
}

/**
 * A slice of the run store, re-rendering at most every `ms` (the first change at once, later ones
 * batched): 30 hosts streaming output make thousands of store updates a second, and each would
 * otherwise re-render the whole player ahead of the operator's keys. `shows(prev, next)` says
 * whether a change is visible at all (default: any change); one that is not renders nothing. The
 * value returned is always the latest, so a render for another reason (a key) shows it.
 */
export function useThrottledStore<T>(store: RunStore, selector: (s: RunStoreState) => T, ms: number, shows?: (prev: T, next: T) => boolean): T {
  const sel = useRef(selector);
  sel.current = selector;
  const visible = useRef(shows);
  visible.current = shows;
  const latest = useRef<{ value: T } | undefined>(undefined);
  latest.current ??= { value: selector(store.getState()) };
  // What this render shows: changes are judged against it.
  const shown = useRef(latest.current.value);
  shown.current = latest.current.value;
  const [, rerender] = useState(0);
  useEffect(() => {
    let last = 0;
    let timer: NodeJS.Timeout | undefined;
    const box = latest.current!;
    box.value = sel.current(store.getState());
    const flush = (): void => {
      timer = undefined;
      last = Date.now();
      rerender((n) => n + 1);
    };
    const unsub = store.subscribe((s) => {
      const next = sel.current(s);
      if (Object.is(next, box.value)) return;
      box.value = next;
      if (timer) return;
      if (visible.current && !visible.current(shown.current, next)) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    });
    return () => {
      unsub();
      if (timer) clearTimeout(timer);
    };
  }, [store, ms]);
  return latest.current.value;
}

/**
 * Info and warning messages clear themselves after `ms`; errors stay until a key is pressed. A
 * newer message supersedes the older ones (they are dismissed, so they never come back).
 */
export function useFlashExpiry(store: RunStore, message: FlashMessage | undefined, ms = 4000): void {
  useEffect(() => {
    if (!message) return;
    for (const m of store.getState().messages) if (m.id < message.id) dismissMessage(store, m.id);
    if (message.level === 'error') return;
    const t = setTimeout(() => dismissMessage(store, message.id), ms);
    return () => clearTimeout(t);
  }, [store, message, ms]);
}

/** The terminal's columns and rows, re-rendering on resize. */
export function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = (): { columns: number; rows: number } => ({ columns: stdout.columns || 100, rows: stdout.rows || 30 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout]);
  return size;
}
