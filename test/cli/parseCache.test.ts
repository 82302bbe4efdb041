// The parse cache (issue 11, start-up): the built CLI keeps the parsed model of a runbook in
// `.runbook/<name>.parse-cache.json` beside its state, and takes it from there while the files
// are unchanged. What a command prints must be the same whether the model came from the cache or
// from parsing; anything wrong with the cache only means the runbook is parsed again.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, sharedTempDir, writeFile, type CliResult } from '../helpers/cli.js';
import { fence } from '../helpers/markdown.js';

const RUNBOOKS = resolve(import.meta.dirname, '..', '..', 'runbooks');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const same = (r: CliResult) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });

/** A runbook file of two steps in a fresh directory; `state`: with the `.runbook/` a run or play makes. */
function book(state = true, text = `# Cache\n\n## First\n\n${fence('id=one', 'echo one')}\n## Second\n\n${fence('id=two', 'echo two')}`): { dir: string; rb: string; cache: string } {
  const dir = sharedTempDir('rb-parse-cache-');
  const rb = writeFile(dir, 'book.md', text);
  if (state) mkdirSync(join(dir, '.runbook'), { mode: 0o700 });
  return { dir, rb, cache: join(dir, '.runbook', 'book.parse-cache.json') };
}

describe('the parse cache', () => {
  it('gives every runbook shipped in runbooks/ the same plan and status as parsing it does', async () => {
    const dir = sharedTempDir('rb-parse-cache-all-');
    cpSync(RUNBOOKS, join(dir, 'runbooks'), { recursive: true });
    const inv = join(dir, 'runbooks', 'k8s-ha', 'inventory.example.yaml');
    const books = ['quickstart.md', 'k8s-ha', 'k8s-upgrade', ...['k8s-ops', 'troubleshooting'].flatMap((d) => readdirSync(join(RUNBOOKS, d)).filter((f) => f.endsWith('.md')).map((f) => `${d}/${f}`))];
    const commands = (b: string): string[][] => [
      ['plan', join('runbooks', b), '-i', inv, '--json'],
      ['status', join('runbooks', b), '-i', inv, '--json'],
      ['status', join('runbooks', b), '-i', inv],
    ];
    const parsed = new Map<string, ReturnType<typeof same>>();
    for (const b of books) for (const c of commands(b)) parsed.set(c.join(' '), same(await runCli(c, { cwd: dir })));
    for (const d of ['runbooks', 'runbooks/k8s-ops', 'runbooks/troubleshooting']) mkdirSync(join(dir, d, '.runbook'), { mode: 0o700 });
    for (const b of books) for (const c of commands(b)) await runCli(c, { cwd: dir }); // writes the caches
    const cached = readdirSync(join(dir, 'runbooks', '.runbook')).filter((f) => f.endsWith('.parse-cache.json'));
    expect(cached.sort()).toEqual(['k8s-ha.parse-cache.json', 'k8s-upgrade.parse-cache.json', 'quickstart.parse-cache.json']);
    for (const b of books) {
      for (const c of commands(b)) {
        const again = same(await runCli(c, { cwd: dir }));
        expect(again, c.join(' ')).toEqual(parsed.get(c.join(' ')));
      }
    }
  }, 300_000);

  it('is used while its key matches: a model planted under the right key is what status shows', async () => {
    const t = book();
    expect((await runCli(['status', t.rb])).code).toBe(0);
    const [header, body] = readFileSync(t.cache, 'utf8').split(/\n([^]*)/);
    const [format, key] = header.split(' ');
    const model = JSON.parse(body) as { title: string };
    model.title = 'Title from the cache';
    const planted = JSON.stringify(model);
    writeFileSync(t.cache, `${format} ${key} ${sha256(planted)}\n${planted}`);
    expect((await runCli(['status', t.rb])).stdout).toMatch(/^Title from the cache {2}\(state: /);
  });

  it('is neither read nor written where others may write: a .runbook/ made 0777, or a cache file made 0666', async () => {
    const t = book();
    expect((await runCli(['status', t.rb])).code).toBe(0);
    const good = readFileSync(t.cache, 'utf8');
    const [header, body] = good.split(/\n([^]*)/);
    const [format, key] = header.split(' ');
    const planted = body.replaceAll('echo one', 'echo planted');
    const plant = (): void => writeFileSync(t.cache, `${format} ${key} ${sha256(planted)}\n${planted}`);
    plant();
    chmodSync(t.cache, 0o666);
    expect((await runCli(['plan', t.rb])).stdout).not.toContain('planted');
    expect(readFileSync(t.cache, 'utf8')).toBe(good); // replaced by the parse
    plant();
    chmodSync(join(t.dir, '.runbook'), 0o777);
    expect((await runCli(['plan', t.rb])).stdout).not.toContain('planted');
    expect(readFileSync(t.cache, 'utf8')).not.toBe(good); // and not written there
    chmodSync(join(t.dir, '.runbook'), 0o700);
    expect((await runCli(['plan', t.rb])).stdout).toContain('echo planted'); // the same file, in a directory only its owner writes
  });

  it('parses a file again once it changed', async () => {
    const t = book();
    expect(JSON.parse((await runCli(['status', t.rb, '--json'])).stdout).steps[1].title).toBe('Second');
    expect(existsSync(t.cache)).toBe(true);
    writeFileSync(t.rb, readFileSync(t.rb, 'utf8').replace('## Second', '## Second, renamed'));
    expect(JSON.parse((await runCli(['status', t.rb, '--json'])).stdout).steps[1].title).toBe('Second, renamed');
  });

  it('shows paths relative to the working directory of each command, not of the one that wrote it', async () => {
    const t = book();
    mkdirSync(join(t.dir, 'sub'));
    const fromDir = JSON.parse((await runCli(['status', t.rb, '--json'], { cwd: t.dir })).stdout).steps[0].file;
    const fromSub = JSON.parse((await runCli(['status', t.rb, '--json'], { cwd: join(t.dir, 'sub') })).stdout).steps[0].file;
    // Under the working directory a path is shown relative to it, elsewhere absolute.
    expect([fromDir, fromSub]).toEqual(['book.md', t.rb]);
  });

  it('is ignored and written again when torn, edited or not a cache at all', async () => {
    const t = book();
    const first = same(await runCli(['status', t.rb]));
    const good = readFileSync(t.cache, 'utf8');
    for (const bad of [good.slice(0, good.length / 2), good.replace('"one"', '"uno"'), 'not a cache', '']) {
      writeFileSync(t.cache, bad);
      expect(same(await runCli(['status', t.rb]))).toEqual(first);
      expect(readFileSync(t.cache, 'utf8')).toBe(good);
    }
  });

  it('does not hang on a FIFO in its place', async () => {
    const t = book();
    const first = same(await runCli(['status', t.rb]));
    execFileSync('rm', [t.cache]);
    execFileSync('mkfifo', [t.cache]);
    expect(same(await runCli(['status', t.rb]))).toEqual(first);
  });

  it('is never made where run or play made no .runbook/ directory: status and plan create nothing', async () => {
    const t = book(false);
    expect((await runCli(['status', t.rb])).code).toBe(0);
    expect((await runCli(['plan', t.rb])).code).toBe(0);
    expect(readdirSync(t.dir)).toEqual(['book.md']);
  });

  it('never holds a runbook whose front matter declares secret variables', async () => {
    const t = book(true, `---\nvars:\n  token: {value: s3cr3t-in-the-runbook, secret: true}\n---\n# Secret\n\n${fence('id=one', 'echo {{ token }}')}`);
    expect((await runCli(['plan', t.rb])).code).toBe(0);
    expect(readdirSync(join(t.dir, '.runbook'))).toEqual([]);
  });
});
