import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it, expect } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { renderTemplate, templateVariables } from '../../src/engine/template/render.js';

const where = { file: 'deploy.md', line: 20, what: 'step `install` body' };

function renderError(text: string, vars: Record<string, unknown> = {}): BadInputError {
  try {
    renderTemplate(text, vars, where);
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected renderTemplate to throw');
}

describe('renderTemplate', () => {
  it('substitutes variables and nested properties', () => {
    expect(renderTemplate('echo {{ name }} {{ host.address }}', { name: 'x', host: { address: '10.0.0.1' } }, where)).toBe('echo x 10.0.0.1');
  });

  it('loops over a group of host objects', () => {
    const groups = { masters: [{ name: 'm1', address: '10.0.0.1' }, { name: 'm2', address: '10.0.0.2' }] };
    const text = '{% for h in groups.masters %}server {{ h.name }} {{ h.address }}:6443 check\n{% endfor %}';
    expect(renderTemplate(text, { groups }, where)).toBe('server m1 10.0.0.1:6443 check\nserver m2 10.0.0.2:6443 check\n');
  });

  it('reports an undefined variable with its name and the file line of the reference', () => {
    const e = renderError('line one\nline two\n  echo {{ foo }}');
    expect(e.message).toBe('undefined variable `foo` in step `install` body');
    expect(e.file).toBe('deploy.md');
    expect(e.line).toBe(22);
  });

  it('reports an undefined nested property as undefined', () => {
    const e = renderError('{{ hosts.m1.captured.join_cmd }}', { hosts: { m1: { captured: {} } } });
    expect(e.message).toContain('undefined variable `hosts.m1.captured.join_cmd`');
    expect(e.line).toBe(20);
  });

  it('lets if and default test a variable that is not defined', () => {
    expect(renderTemplate('{% if maybe %}yes{% else %}no{% endif %} {{ maybe | default: "d" }}', {}, where)).toBe('no d');
  });

  it('rejects an unknown filter with the file line', () => {
    const e = renderError('ok\n{{ name | shout }}', { name: 'x' });
    expect(e.message).toContain('unknown filter `shout`');
    expect(e.line).toBe(21);
  });

  it('reports a syntax error with the file line', () => {
    const e = renderError('a\nb\n{% if %}x{% endif %}');
    expect(e.message).toContain('template syntax error in step `install` body');
    expect(e.line).toBe(22);
  });

  it.each(['{% include "secrets.txt" %}', "{% render 'x' %}", '{% layout "base" %}', '{% liquid\ninclude "x" %}'])('refuses file-reading tag %s', (text) => {
    const e = renderError(text);
    expect(e.message).toMatch(/\{% (include|render|layout) %\} is not allowed in step `install` body/);
  });

  it('gives no access to prototype properties', () => {
    const e = renderError('{{ o.constructor }}', { o: {} });
    expect(e.message).toContain('undefined variable `o.constructor`');
  });

  it('returns text without markup unchanged', () => {
    expect(renderTemplate('echo $HOME ${x}', {}, where)).toBe('echo $HOME ${x}');
  });
});

describe('templateVariables', () => {
  it('lists the top-level names a template references, once each', () => {
    expect(templateVariables('{{ a.b }} {{ c }} {{ a }} {% if d %}{% endif %}')).toEqual(['a', 'c', 'd']);
  });

  it('leaves out loop variables and assigned names', () => {
    expect(templateVariables('{% for h in groups.web %}{{ h.name }}{% endfor %}{% assign z = port %}{{ z }}')).toEqual(['groups', 'port']);
  });

  it('throws BadInputError for a template that does not parse', () => {
    expect(() => templateVariables('{% if %}', where)).toThrow(BadInputError);
  });
});

describe('dates', () => {
  it('names months and days in English whatever the locale of the machine running runbook', () => {
    // A child process started with a German locale (Node takes ICU's default locale from LC_ALL at
    // start-up) renders the built template module: the same text as on any other machine.
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = `import { renderTemplate } from ${JSON.stringify(pathToFileURL(join(root, 'dist/engine/template/render.js')).href)};
      process.stdout.write(Intl.DateTimeFormat().resolvedOptions().locale + '|' + renderTemplate("{{ d | date: '%B %b %A %a' }}", { d: '2026-03-01T12:00:00' }, { file: 'f.md', line: 1, what: 'test' }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LC_ALL: 'de_DE.UTF-8', LANG: 'de_DE.UTF-8' }, encoding: 'utf8' });
    expect(out).toBe('de-DE|March Mar Sunday Sun');
  });
});
