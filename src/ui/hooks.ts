// Tiny hooks: each subscribes to one thing and cleans up.
import { useEffect, useRef, useState } from 'react';
import { useStdout } from 'ink';
import { dismissMessage, type FlashMessage, type RunStore } from '../engine/store.js';

/** Milliseconds since mount, refreshed every second. */
export function useElapsed(now: () => number = Date.now): number {
  const start = useRef(now());
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setElapsed(now() - start.current), 1000);
    return () => clearInterval(t);
  }, [now]);
  return elapsed;
}

/** Info and warning messages clear themselves after `ms`; errors stay until a key is pressed. */
export function useFlashExpiry(store: RunStore, message: FlashMessage | undefined, ms = 4000): void {
  useEffect(() => {
    if (!message || message.level === 'error') return;
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
