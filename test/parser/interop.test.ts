// Markdown written for other tools (docs sites, Runme, READMEs with prompts, Go templates, Rundown):
// what each file of the corpus in test/parser/corpus yields, step by step.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadRunbook, parseRunbookText } from '../../src/engine/parser/load.js';
import { RenderContext } from '../../src/engine/run/renderContext.js';
import { localInventory } from '../../src/engine/inventory/inventory.js';
import type { Runbook } from '../../src/engine/types.js';
import { badInput, badInputAsync, md } from './helpers.js';

const corpus = (name: string): Promise<Runbook> => loadRunbook(join(import.meta.dirname, 'corpus', name));
const summary = (rb: Runbook) => rb.steps.map((s) => ({ id: s.id, body: s.body }));
const messages = (rb: Runbook) => (rb.warnings ?? []).map((w) => `${w.line}: ${w.message}`);
const script = (rb: Runbook, id: string): string => {
  const ctx = new RenderContext(rb, localInventory(), {});
  const step = rb.steps.find((s) => s.id === id)!;
  return ctx.render(step, ctx.stepHosts(step)[0]).script;
};

describe('front matter written for docs sites', () => {
  it('Hugo front matter: the steps run, the Hugo keys are kept and named in one warning', async () => {
    const rb = await corpus('hugo-upgrade-nginx.md');
    expect(rb.title).toBe('Upgrade nginx on the edge nodes');
    expect(summary(rb)).toEqual([
      { id: 'check-the-running-version', body: 'nginx -v\n' },
      { id: 'apt-upgrade-nginx', body: 'apt-get install -y --only-upgrade nginx\n' },
      { id: 'reload', body: 'systemctl reload nginx\n' },
    ]);
    expect(rb.steps.map((s) => s.attrs.sudo)).toEqual([false, true, true]);
    expect(messages(rb)).toEqual(["3: front matter keys `date`, `draft`, `weight`, `tags`, `categories`, `aliases`, `toc` are not runbook's: kept and ignored"]);
    expect(rb.sources[0].frontMatter.ignored).toMatchObject({ draft: false, weight: 20, tags: ['nginx', 'operations'] });
  });
  it('Docusaurus front matter: description is read, id/slug/sidebar keys are ignored', async () => {
    const rb = await corpus('docusaurus-rotate-logs.md');
    expect(rb.title).toBe('Rotate logs by hand');
    expect(rb.description).toBe('Force a log rotation when a disk fills up');
    expect(summary(rb)).toEqual([
      { id: 'rotate-logs-by-hand', body: 'df -h /var/log\n' },
      { id: 'force-rotate', body: 'logrotate -f /etc/logrotate.conf\n' },
    ]);
    expect(messages(rb)).toEqual(["2: front matter keys `id`, `sidebar_position`, `sidebar_label`, `slug`, `keywords`, `hide_table_of_contents` are not runbook's: kept and ignored"]);
  });
  it('under runbook: our keys win; the colliding top-level hosts and vars belong to the other tool', async () => {
    const rb = await corpus('namespaced.md');
    expect(rb.title).toBe('Restart the workers');
    expect(rb.steps.map((s) => [s.id, s.hosts])).toEqual([['restart', 'workers']]);
    expect(rb.vars).toEqual({ unit: 'worker.service' });
    expect(messages(rb)).toEqual(["3: front matter keys `hosts`, `vars` are not runbook's: kept and ignored"]);
  });
  it('a key of ours with another tool\'s type is an error that points at runbook:', () => {
    const e = badInput(() => parseRunbookText(md('---', 'hosts: [a, b]', '---', '# T'), 'x.md'));
    expect(e.line).toBe(2);
    expect(e.hint).toMatch(/put runbook's keys under runbook:/);
  });
  it('an unknown key under runbook: is an error with a suggestion', () => {
    const e = badInput(() => parseRunbookText(md('---', 'runbook:', '  host: web', '---', '# T'), 'x.md'));
    expect([e.message, e.line, e.hint]).toEqual(['unknown key `host` under runbook:', 3, 'did you mean `hosts`?']);
  });
  it('runbook: that is not a mapping is an error', () => {
    expect(badInput(() => parseRunbookText(md('---', 'runbook: yes', '---', '# T'), 'x.md')).message).toMatch(/runbook must be a mapping/);
  });
});

describe('Runme notebooks', () => {
  it('name becomes the id, excludeFromRunAll norun, cwd a cd before the body; a ULID id without a name is the id', async () => {
    const rb = await corpus('runme-notebook.md');
    expect(rb.steps.map((s) => [s.id, s.body, s.attrs.cwd])).toEqual([
      ['install-deps', 'npm ci\n', undefined],
      ['build', 'make build\n', '/tmp'],
      ['serve', 'npm start\n', undefined],
      ['01HF7B0KK3MRM9FZ8YS6G3NY00', 'echo done\n', undefined],
    ]);
    expect(script(rb, 'build')).toBe("set -eo pipefail\ncd -- '/tmp'\nmake build\n");
  });
  it('Runme attributes without a meaning here are warned once each, at their first use', async () => {
    const rb = await corpus('runme-notebook.md');
    expect(messages(rb)).toEqual([
      "2: front matter keys `runme`, `shell` are not runbook's: kept and ignored",
      '10: Runme attribute `id` has no meaning in runbook and is ignored',
      '10: Runme attribute `interactive` has no meaning in runbook and is ignored (on 2 blocks)',
      '16: Runme attribute `closeTerminalOnSuccess` has no meaning in runbook and is ignored',
      '24: Runme attribute `background` has no meaning in runbook and is ignored',
    ]);
  });
  it('a display block with Runme attributes stays display-only', async () => {
    const rb = await corpus('runme-notebook.md');
    expect(rb.steps.some((s) => s.lang === 'js')).toBe(false);
  });
  it('malformed JSON attributes are bad input at the fence line', () => {
    const e = badInput(() => parseRunbookText(md('# T', '', '```sh {"name":"x",}', 'true', '```'), 'x.md'));
    expect([e.line, e.message]).toEqual([3, expect.stringMatching(/^malformed JSON step attributes/)]);
  });
  it('a Runme name that is not a valid id is bad input', () => {
    expect(badInput(() => parseRunbookText(md('# T', '', '```sh {"name":"my step"}', 'true', '```'), 'x.md')).message).toBe('bad step id `my step`');
  });
  it('an attribute that is neither ours nor Runme\'s is still an error', () => {
    expect(badInput(() => parseRunbookText(md('# T', '', '```sh {"name":"x","timout":"2m"}', 'true', '```'), 'x.md')).hint).toBe('did you mean `timeout`?');
  });
});

describe('code-block options of docs sites', () => {
  const labels = (rb: Runbook) => rb.steps.map((s) => [s.id, s.label, s.body]);
  it('Docusaurus: title is the step label, showLineNumbers and {1,3-4} are ignored with one warning', async () => {
    const rb = await corpus('docusaurus-install.md');
    expect(labels(rb)).toEqual([
      ['install-the-agent', 'download.sh', 'curl -fsSLo /tmp/agent.sh https://example.com/agent.sh\nchmod +x /tmp/agent.sh\nsha256sum /tmp/agent.sh\nhead -n 5 /tmp/agent.sh\n'],
      ['run-installer', 'run.sh', '/tmp/agent.sh --yes\n'],
    ]);
    expect(rb.steps[1].attrs.sudo).toBe(true);
    expect(messages(rb)).toEqual([
      "3: front matter key `sidebar_position` is not runbook's: kept and ignored",
      '10: code block options of docs sites (`showLineNumbers`, `{1,3-4}`, `showLineNumbers=5`) only change how a block looks: ignored',
    ]);
  });
  it('MkDocs Material: title, linenums and hl_lines', async () => {
    const rb = await corpus('mkdocs-backup.md');
    expect(labels(rb)).toEqual([
      ['back-up-the-database', 'dump.sh', 'pg_dump -Fc app > /var/backups/app.dump\nls -l /var/backups/app.dump\nsha256sum /var/backups/app.dump > /var/backups/app.dump.sha256\n'],
      ['copy-away', undefined, 'rsync -a /var/backups/ backup-host:/srv/backups/\n'],
    ]);
    expect(messages(rb)).toEqual(['3: code block options of docs sites (`linenums="1"`, `hl_lines="2 3"`) only change how a block looks: ignored']);
  });
  it('Hugo: highlight options in braces, comma or space separated, with list values', async () => {
    const rb = await corpus('hugo-rotate-certs.md');
    expect(labels(rb)).toEqual([
      ['check-the-expiry', undefined, 'openssl x509 -enddate -noout -in /etc/ssl/certs/app.pem\n'],
      ['reload-app', 'reload.sh', 'systemctl reload app\n'],
    ]);
    expect(messages(rb)).toEqual([
      "3: front matter keys `date`, `draft` are not runbook's: kept and ignored",
      '9: code block options of docs sites (`linenos=table`, `hl_lines=[8,"15-17"]`, `linenostart=199`, `linenos=inline`, `hl_lines=[1]`) only change how a block looks: ignored',
    ]);
  });
  it('a title alone is read without a warning, and the label does not change the step hash', () => {
    const plain = parseRunbookText(md('# T', '', '```bash', 'true', '```'), 'x.md');
    const titled = parseRunbookText(md('# T', '', '```bash title="t.sh"', 'true', '```'), 'x.md');
    expect([titled.steps[0].label, titled.warnings, titled.steps[0].hash]).toEqual(['t.sh', [], plain.steps[0].hash]);
  });
  it('a display block with docs options stays display-only', () => {
    const rb = parseRunbookText(md('# T', '', '```python title="a.py" showLineNumbers', 'print(1)', '```'), 'x.md');
    expect(rb.steps).toEqual([]);
  });
  it('words that are not docs-site options are still refused on a shell block', () => {
    expect(badInput(() => parseRunbookText(md('# T', '', '```bash title="x" sudo', 'true', '```'), 'x.md')).message).toMatch(/unexpected/);
  });
});

describe('commands written with prompts', () => {
  it('a shell block with $ prompts runs only its $ lines (continuations included), with a warning', async () => {
    const rb = await corpus('readme-prompts.md');
    const first = rb.steps[0];
    expect(first.id).toBe('install-the-cli');
    expect(first.body).toBe('curl -fsSL https://example.invalid/install.sh -o install.sh\nsh install.sh \\\n    --prefix /usr/local\n\ntool --version\n\n');
    expect(first.attrs.prompt).toBe(true);
    expect(messages(rb)).toContain('13: this bash block is written with `$ ` prompts: only its 3 `$ ` lines run, the other lines are taken as expected output (write {prompt} to say so)');
  });
  it('with {prompt}, > continuation lines belong to the command and nothing is warned', async () => {
    const rb = await corpus('readme-prompts.md');
    const step = rb.steps.find((s) => s.id === 'write-config')!;
    expect(step.body).toBe('cat > /tmp/tool.conf <<EOF\nmode: fast\nEOF\nwc -l /tmp/tool.conf\n\n');
    expect(messages(rb).filter((m) => m.startsWith('20:'))).toEqual([]);
  });
  it('a console block runs only with {prompt}; without it lint is told it could', async () => {
    const rb = await corpus('readme-prompts.md');
    expect(rb.steps.map((s) => [s.id, s.lang])).toEqual([
      ['install-the-cli', 'bash'],
      ['write-config', 'shell'],
      ['install-the-cli-2', 'console'],
    ]);
    expect(rb.warnings).toContainEqual(expect.objectContaining({ line: 5, level: 'info', message: expect.stringMatching(/display-only; write ```console \{prompt\}/) }));
  });
  it('the step source keeps the transcript as written', async () => {
    const rb = await corpus('readme-prompts.md');
    expect(rb.steps[2].source).toBe('console {prompt}\n$ tool doctor\nall good\n');
  });
  it('body lines keep their file lines (output lines become blank lines)', () => {
    const rb = parseRunbookText(md('# T', '', '```bash {prompt}', '$ echo a', 'a', '$ echo {{ nope }}', '```'), 'x.md');
    const e = badInput(() => script(rb, 't'));
    expect(e.line).toBe(6);
  });
  it('prompt=false runs the block as written', () => {
    const rb = parseRunbookText(md('# T', '', '```bash {prompt=false}', '$ echo a', '```'), 'x.md');
    expect([rb.steps[0].body, rb.warnings]).toEqual(['$ echo a\n', []]);
  });
});

describe('other template languages', () => {
  it('Go template text inside {% raw %} is kept as written', async () => {
    const rb = await corpus('go-templates.md');
    expect(script(rb, 'list-pods')).toContain(`go-template='{{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}'`);
  });
  it('Go template text outside {% raw %} is refused at its line with the {% raw %} hint', async () => {
    const rb = await corpus('go-templates.md');
    const e = badInput(() => script(rb, 'images'));
    expect(e.message).toBe("`{{.Repository}}` in step `images` script (host local) is another template language's markup (Go templates), not Liquid");
    expect(e.line).toBe(8);
    expect(e.hint).toMatch(/wrap it in \{% raw %\}\.\.\.\{% endraw %\}/);
  });
  it('Helm-style {{ .Values.x }} and {{- if ... }} are recognised too', () => {
    for (const body of ['echo {{ .Values.image }}', 'x={{- if .Values.on }}1{{- end }}', 'echo {{ $name }}']) {
      const rb = parseRunbookText(md('# T', '', '```bash', body, '```'), 'x.md');
      expect(badInput(() => script(rb, 't')).hint).toMatch(/\{% raw %\}/);
    }
  });
  it('Liquid whitespace control {{- x -}} is still Liquid', () => {
    const rb = parseRunbookText(md('---', 'vars: {x: 1}', '---', '# T', '', '```bash', 'echo {{- x -}}', '```'), 'x.md');
    expect(script(rb, 't')).toBe('set -eo pipefail\necho1');
  });
});

describe('Rundown files are refused, naming Rundown', () => {
  it('<r .../> tags', async () => {
    const e = await badInputAsync(() => corpus('rundown-setup.md'));
    expect([e.line, e.message]).toEqual([1, expect.stringMatching(/^`<r label=setup\/>` is Rundown syntax \(github\.com\/elseano\/rundown\)/)]);
  });
  it('modifiers after the language', async () => {
    const e = await badInputAsync(() => corpus('rundown-flags.md'));
    expect([e.line, e.message]).toEqual([3, expect.stringMatching(/^`bash skip_on_success` is Rundown syntax/)]);
  });
  it('a tag quoted in inline code is prose, not Rundown', () => {
    expect(parseRunbookText(md('# T', 'Rundown writes `<r stdout/>`.'), 'x.md').steps).toEqual([]);
  });
  it('plain words after a display language are still harmless', () => {
    expect(parseRunbookText(md('# T', '', '```python title', 'x', '```'), 'x.md').warnings).toEqual([]);
  });
});

describe('lint lists what was accepted for another tool', () => {
  it('ignored front matter keys, Runme attributes and guessed prompts are warnings; a runnable console block a note', async () => {
    const { lintCommand } = await import('../../src/cli/commands/lint.js');
    for (const [name, expected] of [
      ['hugo-upgrade-nginx.md', [/hugo-upgrade-nginx\.md:3: warning: front matter keys `date`, .* are not runbook's/]],
      ['runme-notebook.md', [/runme-notebook\.md:10: warning: Runme attribute `interactive`/]],
      ['readme-prompts.md', [/readme-prompts\.md:5: info: this console block/, /readme-prompts\.md:13: warning: this bash block is written with `\$ ` prompts/]],
    ] as const) {
      const lines: string[] = [];
      const code = await lintCommand(join(import.meta.dirname, 'corpus', name), { shellcheck: false }, (l) => lines.push(l));
      for (const re of expected) expect(lines.some((l) => re.test(l)), `${name}: ${lines.join('\n')}`).toBe(true);
      expect(code).toBe(1);
    }
  });
});
