import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseDuration, parseInfoString } from '../../src/engine/parser/attributes.js';
import { badInput } from './helpers.js';

const loc = { file: 'book.md', line: 7 };
const attrs = (info: string) => parseInfoString(info, loc).attrs;

describe('parseDuration', () => {
  it('reads ms, s, m and h units', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
  });
  it('reads a bare number as seconds', () => {
    expect(parseDuration('30')).toBe(30_000);
  });
  it('reads compound and fractional durations', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
  });
  it('returns undefined for text that is not a duration', () => {
    for (const t of ['', 'abc', '5 min', '-1s', '1d', 's']) expect(parseDuration(t)).toBeUndefined();
  });
});

describe('info string: language and braces', () => {
  it('takes the first word as the language', () => {
    expect(parseInfoString('bash', loc).lang).toBe('bash');
    expect(parseInfoString('', loc).lang).toBe('');
  });
  it('gives defaults when there are no braces', () => {
    expect(attrs('bash')).toEqual({ sudo: false, retries: 0, delayMs: 5000, secret: false, continueOnError: false, norun: false });
  });
  it('accepts braces glued to the language', () => {
    const p = parseInfoString('bash{sudo}', loc);
    expect(p.lang).toBe('bash');
    expect(p.attrs.sudo).toBe(true);
  });
  it('lists the attribute names as written', () => {
    expect(parseInfoString('bash {id=a sudo}', loc).keys).toEqual(['id', 'sudo']);
  });
  it('ignores plain words after the language of a display block', () => {
    expect(parseInfoString('python title', loc).lang).toBe('python');
  });
  it('rejects attributes written without braces on a shell block', () => {
    const e = badInput(() => parseInfoString('bash sudo', loc));
    expect(e.line).toBe(7);
    expect(e.hint).toContain('{sudo}');
  });
  it('rejects a missing closing brace', () => {
    expect(badInput(() => parseInfoString('bash {sudo', loc)).message).toMatch(/closing `}`/);
  });
  it('rejects text after the closing brace', () => {
    expect(badInput(() => parseInfoString('bash {sudo} extra', loc)).message).toMatch(/extra/);
  });
});

describe('attribute grammar', () => {
  it('reads unquoted key=value', () => {
    expect(attrs('bash {hosts=web:db}').hosts).toBe('web:db');
  });
  it('reads double-quoted values with spaces', () => {
    expect(attrs('bash {unless="test -f /etc/done"}').unless).toBe('test -f /etc/done');
  });
  it('unescapes \\" and \\\\ inside double quotes', () => {
    expect(attrs('bash {verify="grep \\"a b\\" f \\\\ x"}').verify).toBe('grep "a b" f \\ x');
  });
  it('keeps other backslashes inside double quotes as written', () => {
    expect(attrs('bash {verify="grep -q a\\.b f"}').verify).toBe('grep -q a\\.b f');
  });
  it('reads single-quoted values without escapes', () => {
    expect(attrs("bash {unless='test \"$x\" = y'}").unless).toBe('test "$x" = y');
  });
  it('allows a closing brace inside a quoted value', () => {
    expect(attrs('bash {verify="test -n ${HOME}"}').verify).toBe('test -n ${HOME}');
  });
  it('separates attributes by any whitespace', () => {
    const a = attrs('bash {  sudo\tid=x   retries=1 }');
    expect([a.sudo, a.id, a.retries]).toEqual([true, 'x', 1]);
  });
  it('rejects an unterminated quote with the line', () => {
    const e = badInput(() => attrs('bash {unless="test -f x}'));
    expect(e.message).toMatch(/unterminated/);
    expect(e.file).toBe('book.md');
    expect(e.line).toBe(7);
  });
  it('rejects text glued to a closing quote', () => {
    expect(badInput(() => attrs('bash {unless="a"b}')).message).toMatch(/after the quoted value/);
  });
  it('rejects a stray character', () => {
    expect(badInput(() => attrs('bash {sudo, id=x}')).message).toMatch(/unexpected `,`/);
  });
  it('rejects an attribute given twice', () => {
    expect(badInput(() => attrs('bash {sudo sudo}')).message).toMatch(/twice/);
  });
});

describe('each attribute', () => {
  it('id accepts letters, digits, dots, underscores and hyphens', () => {
    expect(attrs('bash {id=disable-swap_1.2}').id).toBe('disable-swap_1.2');
  });
  it('id rejects a leading hyphen or a slash', () => {
    badInput(() => attrs('bash {id=-x}'));
    badInput(() => attrs('bash {id=a/b}'));
  });
  it('hosts takes a pattern and rejects an empty one', () => {
    expect(attrs('bash {hosts="web:!web3"}').hosts).toBe('web:!web3');
    badInput(() => attrs('bash {hosts=""}'));
  });
  it('sudo, secret, continue_on_error and norun are flags', () => {
    const a = attrs('bash {sudo capture=T secret continue_on_error norun}');
    expect([a.sudo, a.secret, a.continueOnError, a.norun]).toEqual([true, true, true, true]);
  });
  it('flags accept true and false', () => {
    expect(attrs('bash {sudo=false}').sudo).toBe(false);
    expect(attrs('bash {sudo=true}').sudo).toBe(true);
  });
  it('a flag given another value is rejected', () => {
    expect(badInput(() => attrs('bash {sudo=yes-please}')).message).toMatch(/flag/);
  });
  it('confirm is empty as a bare flag and carries a reason when given one', () => {
    expect(attrs('bash').confirm).toBeUndefined();
    expect(attrs('bash {confirm}').confirm).toBe('');
    expect(attrs('bash {confirm="reboots the node"}').confirm).toBe('reboots the node');
  });
  it('confirm=true and confirm=false act like a flag', () => {
    expect(attrs('bash {confirm=true}').confirm).toBe('');
    expect(attrs('bash {confirm=false}').confirm).toBeUndefined();
  });
  it('timeout is a positive duration in milliseconds', () => {
    expect(attrs('bash {timeout=2m}').timeoutMs).toBe(120_000);
    expect(attrs('bash {timeout=45}').timeoutMs).toBe(45_000);
    badInput(() => attrs('bash {timeout=0}'));
    badInput(() => attrs('bash {timeout=soon}'));
    badInput(() => attrs('bash {timeout}'));
  });
  it('retries is a whole number >= 0 and delay defaults to 5s', () => {
    const a = attrs('bash {retries=3}');
    expect([a.retries, a.delayMs]).toEqual([3, 5000]);
    expect(attrs('bash {retries=0}').retries).toBe(0);
    badInput(() => attrs('bash {retries=-1}'));
    badInput(() => attrs('bash {retries=1.5}'));
  });
  it('delay sets the pause between retries', () => {
    expect(attrs('bash {retries=2 delay=500ms}').delayMs).toBe(500);
    badInput(() => attrs('bash {retries=2 delay=later}'));
  });
  it('delay without retries is rejected', () => {
    expect(badInput(() => attrs('bash {delay=5s}')).message).toMatch(/retries/);
  });
  it('unless and verify take commands and reject empty ones', () => {
    const a = attrs('bash {unless="test -f /a" verify="test -f /b"}');
    expect([a.unless, a.verify]).toEqual(['test -f /a', 'test -f /b']);
    badInput(() => attrs('bash {verify=""}'));
    badInput(() => attrs('bash {unless}'));
  });
  it('capture takes an identifier', () => {
    expect(attrs('bash {capture=JOIN_TOKEN}').capture).toBe('JOIN_TOKEN');
    badInput(() => attrs('bash {capture=join-token}'));
    badInput(() => attrs('bash {capture=1x}'));
  });
  it('secret without capture is rejected', () => {
    expect(badInput(() => attrs('bash {secret}')).message).toMatch(/capture/);
  });
  it('serial is a whole number >= 1', () => {
    expect(attrs('bash {serial=1}').serial).toBe(1);
    badInput(() => attrs('bash {serial=0}'));
    badInput(() => attrs('bash {serial=two}'));
  });
  it('file takes an absolute path', () => {
    expect(attrs('ini {file=/etc/app.ini}').file).toBe('/etc/app.ini');
    expect(badInput(() => attrs('ini {file=etc/app.ini}')).message).toMatch(/absolute/);
  });
  it('mode is 3 or 4 octal digits, normalised to 4', () => {
    expect(attrs('ini {file=/a mode=644}').mode).toBe('0644');
    expect(attrs('ini {file=/a mode=0755}').mode).toBe('0755');
    badInput(() => attrs('ini {file=/a mode=0999}'));
    badInput(() => attrs('ini {file=/a mode=64}'));
  });
  it('owner is user or user:group', () => {
    expect(attrs('ini {file=/a owner=root}').owner).toBe('root');
    expect(attrs('ini {file=/a owner=www-data:www-data}').owner).toBe('www-data:www-data');
    badInput(() => attrs('ini {file=/a owner=a:b:c}'));
  });
  it('mode or owner without file is rejected', () => {
    expect(badInput(() => attrs('bash {mode=0644}')).message).toMatch(/file/);
    expect(badInput(() => attrs('bash {owner=root}')).message).toMatch(/file/);
  });
  it('capture on a file block is rejected', () => {
    expect(badInput(() => attrs('ini {file=/a capture=X}')).message).toMatch(/capture/);
  });
});

describe('unknown attributes', () => {
  it('are rejected with file and line', () => {
    const e = badInput(() => attrs('bash {colour=red}'));
    expect(e.message).toMatch(/unknown step attribute `colour`/);
    expect(e.located).toBe('book.md:7: unknown step attribute `colour`');
  });
  it('suggest the nearest known name', () => {
    expect(badInput(() => attrs('bash {timout=2m}')).hint).toBe('did you mean `timeout`?');
    expect(badInput(() => attrs('bash {continue-on-error}')).hint).toBe('did you mean `continue_on_error`?');
  });
});

describe('quoting round trip', () => {
  it('any string written with \\" and \\\\ escaped in double quotes reads back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), (s) => {
        const quoted = '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
        expect(parseInfoString(`bash {verify=${quoted}}`, loc).attrs.verify).toBe(s);
      }),
    );
  });
});
