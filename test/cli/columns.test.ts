// Terminal columns for status's layout: printable ASCII and the status symbols are counted without
// string-width (whose import and first call cost tens of ms at start-up); anything else is measured
// by string-width, imported only when some text needs it. The counts must be string-width's.
import stringWidth from 'string-width';
import { describe, expect, it, vi } from 'vitest';
import { runCli, sharedTempDir, writeFile } from '../helpers/cli.js';
import { STATUS_SYMBOL } from '../../src/cli/symbols.js';

/** A fresh copy of the module (string-width not loaded yet). */
async function freshColumns(): Promise<typeof import('../../src/cli/columns.js')> {
  vi.resetModules();
  return import('../../src/cli/columns.js');
}

describe('columns', () => {
  it('counts every status symbol, and the other symbols it knows, as string-width does', async () => {
    const { SYMBOL_COLUMNS, columns } = await freshColumns();
    for (const sym of Object.values(STATUS_SYMBOL)) expect(SYMBOL_COLUMNS.has(sym), sym).toBe(true);
    for (const [sym, w] of SYMBOL_COLUMNS) expect(w, sym).toBe(stringWidth(sym));
    for (const s of ['step', 'k8s-master90', '✔*', '⚡', '✋ done-manual', '3/430 host-steps done.', '']) expect(columns(s), s).toBe(stringWidth(s));
  });

  it('does not import string-width when every text is ASCII or a known symbol', async () => {
    const { loadColumns, exactColumnsLoaded } = await freshColumns();
    await loadColumns(['web1', 'db-2.example.com', 'install-etcd', '⚡ interrupted', '✔*']);
    expect(exactColumnsLoaded()).toBe(false);
  });

  it('imports string-width for other text, and then measures wide characters and emoji as it does', async () => {
    const { loadColumns, exactColumnsLoaded, columns } = await freshColumns();
    const texts = ['节点-1', 'ｗｅｂ', '🚀 deploy', 'café', 'e\u0301t\u00e9'];
    expect(() => columns(texts[0])).toThrow(/before loadColumns/);
    await loadColumns(['web1', ...texts]);
    expect(exactColumnsLoaded()).toBe(true);
    for (const t of texts) expect(columns(t), t).toBe(stringWidth(t));
  });

  it('status lines a host with wide characters up under its name (built CLI)', async () => {
    const dir = sharedTempDir();
    const book = writeFile(dir, 'book.md', '# Wide\n\n```bash {id=one}\ntrue\n```\n');
    const inv = writeFile(dir, 'inv.yaml', 'all:\n  hosts:\n    web1: {ansible_connection: local}\n    节点2: {ansible_connection: local}\n    web3: {ansible_connection: local}\n');
    const r = await runCli(['status', book, '-i', inv], { env: { ...process.env, COLUMNS: '80', NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('step'))!;
    const row = lines.find((l) => l.startsWith('one'))!;
    // The header: 'step' padded, then each host 2 columns apart; 节点2 takes 5 columns.
    expect(header).toBe('step  web1  节点2  web3');
    expect(row).toBe('one   ·     ·      ·');
  });
});
