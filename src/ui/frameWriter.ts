// What reaches the terminal: Ink renders whole frames (debug mode), this writes only the lines
// that changed since the last frame, each at its absolute row, inside a synchronized-output block
// (terminals that know DEC mode 2026 show it at once: no torn frames). An unchanged frame writes
// nothing, so an idle player is silent. Ink 6's own incremental mode misplaces lines when the
// frame is shorter than the screen (off by one row), which is why the player does not use it.

const BSU = '\u001b[?2026h';
const ESU = '\u001b[?2026l';

export interface FrameSink {
  /** Bytes written to the terminal so far (for the benchmark). */
  readonly bytesWritten: number;
  /** The next frame is drawn whole (after a pager or a resize scribbled on the screen). */
  invalidate(): void;
}

/** The lines of `next` that differ from `prev`, as cursor-addressed writes ('' when none). */
export function frameDiff(prev: readonly string[], next: readonly string[]): string {
  let out = '';
  const rows = Math.max(prev.length, next.length);
  for (let i = 0; i < rows; i++) {
    const line = next[i] ?? '';
    if (line === prev[i]) continue;
    out += `\u001b[${i + 1};1H${line}\u001b[0m\u001b[K`;
  }
  return out;
}

/**
 * A stream for Ink's `stdout` option: everything but `write` is the real terminal (size, resize
 * events, isTTY); `write` receives whole frames and forwards only their changed lines.
 */
export function createFrameWriter(out: NodeJS.WriteStream): NodeJS.WriteStream & FrameSink {
  let prev: string[] = [];
  let bytes = 0;
  const send = (s: string): void => {
    bytes += Buffer.byteLength(s);
    out.write(s);
  };
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const frame = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = frame.replace(/\n$/, '').split('\n');
    const diff = frameDiff(prev, lines);
    prev = lines;
    if (diff) send(`${BSU}${diff}${ESU}`);
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
  const onResize = (): void => {
    prev = [];
    send('\u001b[2J');
  };
  out.on('resize', onResize);
  return new Proxy(out, {
    get(target, prop) {
      if (prop === 'write') return write;
      if (prop === 'bytesWritten') return bytes;
      if (prop === 'invalidate') return () => { prev = []; send('\u001b[2J'); };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as NodeJS.WriteStream & FrameSink;
}
