// The two Python functions Ansible's INI inventory parser leans on, so values come out typed as
// Ansible types them: shlex.split(line, comments=True) for host lines and ast.literal_eval for values.

/**
 * Python's shlex.split(s, comments=True) (POSIX mode, whitespace_split): quotes removed, backslash
 * escapes, `#` starts a comment wherever it opens or continues a word. Throws Error on an unclosed
 * quote or a trailing backslash, with Python's message.
 */
export function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let token = '';
  let inToken = false;
  let i = 0;
  const ws = /[ \t\r\n]/;
  while (i < s.length) {
    const c = s[i];
    if (ws.test(c)) {
      if (inToken) out.push(token);
      token = '';
      inToken = false;
      i++;
    } else if (c === '#') {
      break;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      token += s.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= s.length) throw new Error('No closing quotation');
        const d = s[i];
        if (d === '"') break;
        if (d === '\\' && i + 1 < s.length && (s[i + 1] === '"' || s[i + 1] === '\\')) {
          token += s[i + 1];
          i += 2;
          continue;
        }
        if (d === '\\' && i + 1 >= s.length) throw new Error('No escaped character');
        token += d;
        i++;
      }
      inToken = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= s.length) throw new Error('No escaped character');
      token += s[i + 1];
      inToken = true;
      i += 2;
    } else {
      token += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) out.push(token);
  return out;
}

/** Thrown when the text is not a Python literal (Ansible then keeps the string as it is). */
class NotLiteral extends Error {}

/** A small Python-expression reader for ast.literal_eval's subset. */
class PyReader {
  i = 0;
  constructor(readonly s: string) {}

  skip(): void {
    for (;;) {
      while (this.i < this.s.length && /[ \t\f]/.test(this.s[this.i])) this.i++;
      if (this.s[this.i] === '#') {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
        continue;
      }
      // newlines are only allowed inside brackets; literal_eval of a one-line value rarely has them
      if (this.depth > 0 && (this.s[this.i] === '\n' || this.s[this.i] === '\r')) {
        this.i++;
        continue;
      }
      return;
    }
  }

  depth = 0;

  peek(): string {
    this.skip();
    return this.s[this.i] ?? '';
  }

  expect(ch: string): void {
    if (this.peek() !== ch) throw new NotLiteral();
    this.i++;
  }

  atEnd(): boolean {
    this.skip();
    while (this.i < this.s.length && /[\r\n]/.test(this.s[this.i])) this.i++;
    this.skip();
    return this.i >= this.s.length;
  }

  value(): unknown {
    const c = this.peek();
    if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
    if (c === '{') return this.mapping();
    if (c === '-' || c === '+') {
      this.i++;
      const v = this.value();
      if (typeof v !== 'number') throw new NotLiteral();
      return c === '-' ? -v : v;
    }
    if (/[0-9.]/.test(c)) return this.number();
    const str = this.strings();
    if (str !== undefined) return str;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (m) {
      this.i += m[0].length;
      if (m[0] === 'True') return true;
      if (m[0] === 'False') return false;
      if (m[0] === 'None') return null;
    }
    throw new NotLiteral();
  }

  number(): number {
    const rest = this.s.slice(this.i);
    const m =
      /^0[xX](?:_?[0-9a-fA-F])+|^0[oO](?:_?[0-7])+|^0[bB](?:_?[01])+/.exec(rest) ??
      /^(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?/.exec(rest);
    if (!m || m[0] === '' || m[0] === '.') throw new NotLiteral();
    const text = m[0].replace(/_/g, '');
    this.i += m[0].length;
    if (/^[a-zA-Z_]/.test(this.s[this.i] ?? '')) throw new NotLiteral(); // 1j, 12abc
    if (/^0[xob]/i.test(text)) return Number(text.toLowerCase());
    if (/^0\d/.test(text) && !/[.eE]/.test(text) && /[1-9]/.test(text)) throw new NotLiteral(); // 010 is a SyntaxError
    return Number(text);
  }

  /** One or more adjacent string literals (Python concatenates them). */
  strings(): string | undefined {
    let out: string | undefined;
    for (;;) {
      this.skip();
      const m = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(this.s.slice(this.i));
      if (!m || !/^(?:[rR]?[bB]?|[bB][rR]|[uU])$/.test(m[1])) return out;
      this.i += m[0].length;
      const raw = /[rR]/.test(m[1]);
      const q = m[2];
      let v = '';
      for (;;) {
        if (this.i >= this.s.length) throw new NotLiteral();
        if (this.s.startsWith(q, this.i)) {
          this.i += q.length;
          break;
        }
        const ch = this.s[this.i];
        if (q.length === 1 && ch === '\n') throw new NotLiteral();
        if (ch === '\\' && this.i + 1 < this.s.length) {
          const e = this.s[this.i + 1];
          if (raw) {
            v += ch + e;
            this.i += 2;
            continue;
          }
          this.i += 2;
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '' };
          if (e in simple) v += simple[e];
          else if (e === 'x' && /^[0-9a-fA-F]{2}/.test(this.s.slice(this.i))) {
            v += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 2), 16));
            this.i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}/.test(this.s.slice(this.i))) {
            v += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16));
            this.i += 4;
          } else if (/[0-7]/.test(e)) {
            const o = /^[0-7]{0,2}/.exec(this.s.slice(this.i))![0];
            v += String.fromCharCode(parseInt(e + o, 8));
            this.i += o.length;
          } else v += '\\' + e;
          continue;
        }
        v += ch;
        this.i++;
      }
      out = (out ?? '') + v;
    }
  }

  sequence(close: string): unknown[] {
    this.i++;
    this.depth++;
    const out: unknown[] = [];
    while (this.peek() !== close) {
      out.push(this.value());
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== close) throw new NotLiteral();
    }
    this.i++;
    this.depth--;
    return out;
  }

  mapping(): Record<string, unknown> | unknown[] {
    this.i++;
    this.depth++;
    const out: Record<string, unknown> = {};
    let isSet = false;
    const set: unknown[] = [];
    while (this.peek() !== '}') {
      const k = this.value();
      if (this.peek() === ':' && !isSet) {
        this.i++;
        if (k !== null && typeof k === 'object') throw new NotLiteral(); // unhashable key
        out[String(k === true ? 'True' : k === false ? 'False' : k === null ? 'None' : k)] = this.value();
      } else {
        if (Object.keys(out).length) throw new NotLiteral();
        isSet = true;
        set.push(k);
      }
      if (this.peek() === ',') this.i++;
      else if (this.peek() !== '}') throw new NotLiteral();
    }
    this.i++;
    this.depth--;
    if (isSet) throw new NotLiteral(); // a Python set has no JSON form; keep the text
    return out;
  }
}

/**
 * Ansible's INI `_parse_value`: ast.literal_eval(v) when v is a Python literal (numbers, strings,
 * True/False/None, lists, tuples, dicts), else v itself as a string.
 */
export function pythonLiteral(v: string): unknown {
  const r = new PyReader(v.replace(/^[ \t]+/, ''));
  try {
    const out = r.value();
    if (!r.atEnd()) return v;
    return out;
  } catch (e) {
    if (e instanceof NotLiteral) return v;
    throw e;
  }
}
