// A runbook written in Chinese, played in a real terminal (tmux) at 80x24 and 120x32: its
// paragraphs are wrapped by columns and read whole in the document pane, and no row of a pane or of
// the log view is wider than the terminal (a wide character cut at the edge pushed the border off).
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, sharedTempDir, writeFile } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';
import { playCommand, useTmux } from '../helpers/tmux.js';

const term = useTmux('rb-wide');
const PARAGRAPH = `${'这一步检查节点的状态（中文说明，全角字符）。'}到此为止`;
let dir: string;
let book: string;

beforeAll(() => {
  dir = sharedTempDir();
  book = writeFile(dir, 'wide.md', ['# 检查节点\n', `${PARAGRAPH}\n`, fence('id=check', `l=$(printf '日志%.0s' $(seq 70)); printf '%s\\n' "$l" "a$l"`), '## 第二步\n', fence('id=second', 'echo 完成')].join('\n'));
});

describe.each([
  { cols: 80, rows: 24 },
  { cols: 120, rows: 32 },
])('a Chinese runbook at $cols x $rows', (size) => {
  it('shows its paragraph whole and keeps every row within the terminal, borders in place', async () => {
    const session = `w${size.cols}`;
    await term.start(session, playCommand(dir, [BIN, 'play', book, '--state', `${dir}/${session}.jsonl`]), size);
    // The document pane's text, its rows joined: once marked has loaded (the first frame may show
    // the section's source), the paragraph is there in full, nothing cut.
    const docText = (screen: string): string =>
      screen.split('\n').filter((r) => r.startsWith('│') && r.includes('││')).map((r) => r.slice(r.indexOf('││') + 2, -1).trim()).join('');
    const screen = await term.waitScreen(session, (s) => !s.includes('```') && docText(s).includes(PARAGRAPH), 'the paragraph in full in the document pane');
    const lines = screen.split('\n').slice(0, size.rows);
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(size.cols);
    // Rows of the panes side by side: each ends with a right-hand pane's border, in the last column.
    const paneRows = lines.filter((l) => l.startsWith('│'));
    expect(paneRows.length).toBeGreaterThan(10);
    for (const row of paneRows) {
      expect(row, row).toMatch(/[│┐┘]$/);
      expect(stringWidth(row), row).toBe(size.cols);
    }
    // Run the step, then open its whole log: its two output lines are wider than the terminal and
    // cut there, one of them with a wide character across the edge (the second starts a column
    // later); both keep the frame's right edge.
    await term.keys(session, 'Enter');
    await term.waitScreen(session, (s) => s.includes('1 host: 1 ok'), 'the step to end ok');
    await term.keys(session, 'l');
    // The whole frame: tmux can be read while the terminal is still being written, a row begun with
    // the log view's border and the rest still the panes' (seen once in a full suite).
    const log = await term.waitScreen(session, (s) => s.includes('Log of check on local') && s.split('\n').some((r) => r.startsWith('╚')) && s.split('\n').filter((r) => /^║a?日志日志/.test(r)).length === 2, 'the log view, drawn whole');
    const logRows = log.split('\n').slice(0, size.rows).filter((l) => l.startsWith('║'));
    expect(logRows.filter((r) => /^║a?日志日志/.test(r)).length).toBe(2);
    for (const row of logRows) {
      expect(row, row).toMatch(/║$/);
      expect(stringWidth(row), row).toBe(size.cols);
    }
    await term.keys(session, 'Escape');
    await term.keys(session, 'q');
    await term.waitScreen(session, (s) => s.includes('EXIT=3'), 'the player to quit with steps left to play (exit 3)');
  });
});
