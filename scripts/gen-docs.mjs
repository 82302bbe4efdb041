#!/usr/bin/env node
// Regenerate the key table (from src/ui/keymap.ts, via the build in dist/) between the
// `<!-- keys:start -->` and `<!-- keys:end -->` markers of README.md and docs/tui.md.
// Usage: npm run build && node scripts/gen-docs.mjs   (exit 1 when a file has no markers)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { keyTableMarkdown } = await import(join(root, 'dist', 'ui', 'keymap.js'));

const START = '<!-- keys:start -->';
const END = '<!-- keys:end -->';

/** Replace what is between the markers with the generated table; undefined when there are none. */
export function withKeyTable(text, table) {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return undefined;
  return `${text.slice(0, a + START.length)}\n${table}${text.slice(b)}`;
}

let status = 0;
for (const rel of ['README.md', 'docs/tui.md']) {
  const file = join(root, rel);
  if (!existsSync(file)) continue;
  const before = readFileSync(file, 'utf8');
  const after = withKeyTable(before, keyTableMarkdown());
  if (after === undefined) {
    process.stderr.write(`${rel}: no ${START} … ${END} markers, left alone\n`);
    if (rel !== 'README.md') status = 1;
    continue;
  }
  if (after !== before) writeFileSync(file, after);
  process.stdout.write(`${rel}: key table ${after === before ? 'up to date' : 'updated'}\n`);
}
process.exit(status);
