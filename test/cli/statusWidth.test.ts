// `runbook status` at a terminal's width: 30 hosts must read at 80 columns, every host shown once.
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { fitParts, outputWidth, statusGrid } from '../../src/cli/statusGrid.js';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';

const hosts = Array.from({ length: 30 }, (_, i) => `worker${String(i + 1).padStart(2, '0')}`);

describe('status grid layout', () => {
  it('keeps every line within the width by splitting the host columns into blocks', () => {
    const rows = [{ id: 'install-containerd', cells: Object.fromEntries(hosts.map((h) => [h, '✔'])) }];
    const lines = statusGrid(hosts, rows, 80);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    expect(lines.filter((l) => /^hosts \d+–\d+ of 30$/.test(l)).length).toBeGreaterThan(1);
  });

  it('shows every host in exactly one block, in order', () => {
    const lines = statusGrid(hosts, [{ id: 's', cells: {} }], 80);
    const headers = lines.filter((l) => l.startsWith('step')).flatMap((l) => l.split(/\s+/).slice(1));
    expect(headers).toEqual(hosts);
  });

  it('puts a cell under its host in whichever block the host lands', () => {
    const lines = statusGrid(hosts, [{ id: 's', cells: { worker29: '✖' } }], 80);
    const header = lines.findIndex((l) => l.startsWith('step') && l.includes('worker29'));
    const row = lines[header + 1];
    expect(row[lines[header].indexOf('worker29')]).toBe('✖');
  });

  it('prints one block, without a "hosts N–M" line, when the width is unbounded', () => {
    const lines = statusGrid(hosts, [{ id: 's', cells: {} }], Infinity);
    expect(lines).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('hosts '))).toBe(false);
  });

  it('breaks the legend between its parts, never inside one', () => {
    const parts = ['120/120 host-steps done.', '· pending', '✔ ok', '✖ failed', '⊘ unreachable', '* changed since it ran'];
    const lines = fitParts(parts, 30);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(30);
    expect(lines.join('  ')).toBe(parts.join('  '));
  });

  it('lays out for the terminal when standard output is one, else for $COLUMNS, else unbounded', () => {
    expect(outputWidth({ isTTY: true, columns: 100 }, { COLUMNS: '80' })).toBe(100);
    expect(outputWidth({ isTTY: false }, { COLUMNS: '80' })).toBe(80);
    expect(outputWidth({ isTTY: false }, {})).toBe(Infinity);
  });
});

describe('runbook status with 30 hosts', () => {
  const dir = sharedTempDir('rb-status-width-');
  const inv = writeFile(dir, 'fleet.ini', `[workers]\n${hosts.map((h, i) => `${h} ansible_host=10.9.0.${i + 1}`).join('\n')}\n`);
  const book = writeFile(dir, 'fleet.md', '# Fleet\n\n```bash {id=check-kubelet hosts=workers}\nsystemctl is-active kubelet\n```\n');

  it('fits 80 columns and still shows each host\'s status', async () => {
    const mark = await runCli(['mark-done', book, '-i', inv, '--step', 'check-kubelet', '--host', 'worker30', '--reason', 'checked by hand']);
    expect(mark.code).toBe(0);
    const r = await runCli(['status', book, '-i', inv], { env: { COLUMNS: '80' } });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // The title names the state file's path, which may be longer than any terminal: only the grid is laid out.
    for (const l of lines.slice(1)) expect(stringWidth(l)).toBeLessThanOrEqual(80);
    const header = lines.findIndex((l) => l.startsWith('step') && l.includes('worker30'));
    expect(lines[header + 1][lines[header].indexOf('worker30')]).toBe('✋');
    expect(lines[header + 1][lines[header].indexOf('worker29')]).toBe('·');
    expect(r.stdout).toContain('1/30 host-steps done.');
  });
});
