// Tiny hooks: each subscribes to one thing and cleans up.
import { useEffect, useRef, useState } from 'react';
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
