// The most recent text of an output stream, kept as the pieces received: appending copies nothing
// (30 hosts streaming 1 MB/s each appended 20-40 KB chunks to strings that were then cut, flattening
// 64-128 KB per chunk and host: a tenth of the player's CPU and most of its garbage). The text is
// put together only when it is read, and only as much of it as the reader needs.

/** Pieces beyond this many are joined into one (bounded work per piece, even for 1-byte pieces). */
const MAX_PIECES = 256;

export class RecentText {
  private pieces: string[] = [];
  private length = 0;

  /** Keeps at least the last `keep` characters received (whole pieces: a little more). */
  constructor(private readonly keep: number) {}

  push(s: string): void {
    if (!s) return;
    this.pieces.push(s);
    this.length += s.length;
    while (this.pieces.length > 1 && this.length - this.pieces[0].length >= this.keep) this.length -= this.pieces.shift()!.length;
    if (this.pieces.length > MAX_PIECES) this.pieces = [this.pieces.join('')];
  }

  get isEmpty(): boolean {
    return this.length === 0;
  }

  /** Everything kept. */
  text(): string {
    return this.pieces.join('');
  }

  /**
   * The kept text from the piece holding its `n`-th line break counted from the end (so the last
   * `n` breaks and what follows them are in it); everything kept when it holds fewer.
   */
  fromLineBreak(n: number): string {
    let count = 0;
    for (let i = this.pieces.length - 1; i >= 0; i--) {
      const p = this.pieces[i];
      for (let j = p.lastIndexOf('\n'); j >= 0; j = j === 0 ? -1 : p.lastIndexOf('\n', j - 1)) {
        if (++count >= n) return i === this.pieces.length - 1 ? p : this.pieces.slice(i).join('');
      }
    }
    return this.text();
  }

  clear(): void {
    this.pieces = [];
    this.length = 0;
  }
}
