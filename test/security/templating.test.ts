// Templating cannot escape into the operator's machine: Liquid payloads reaching for prototypes,
// constructors or the file system are refused (BadInputError, exit 2) or render inert text.
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { parseRunbookText } from '../../src/engine/parser/load.js';
import { RenderContext } from '../../src/engine/run/renderContext.js';

const inventory = parseInventory('all:\n  hosts:\n    h1: {ansible_connection: local}\n  vars:\n    obj: {a: 1}\n', '/tmp/inv.yaml');

function render(payload: string): string | BadInputError {
  const rb = parseRunbookText(`---\nvars:\n  s: text\n  list: [1, 2]\n---\n# T\n\n\`\`\`bash {id=x}\n${payload}\n\`\`\`\n`, '/tmp/tpl/book.md');
  try {
    return new RenderContext(rb, inventory, {}).render(rb.steps[0], inventory.hosts[0]).script;
  } catch (e) {
    if (e instanceof BadInputError) return e;
    throw e;
  }
}

const PAYLOADS = [
  '{{ s.constructor }}',
  '{{ s.constructor.constructor }}',
  "{{ s['constructor']['constructor']('return process')() }}",
  '{{ host.__proto__ }}',
  '{{ obj.__proto__.polluted }}',
  '{{ list.constructor.name }}',
  '{{ s.toString }}',
  '{{ obj.hasOwnProperty }}',
  '{% assign c = "constructor" %}{{ s[c] }}',
  '{% assign o = obj %}{% assign o.__proto__ = 1 %}',
  '{{ "x" | append: s.constructor }}',
  '{{ process.env.HOME }}',
  '{{ global.process }}',
  '{{ this }}',
];

describe('templating runs no code', () => {
  for (const p of PAYLOADS) {
    it(`is refused or inert: ${p}`, () => {
      const r = render(p);
      if (r instanceof BadInputError) {
        expect(r.line).toBeGreaterThan(0);
        return;
      }
      expect(r).not.toMatch(/function|native code|\[object|process|\/root|\/home/i);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  for (const tag of ["{% include '/etc/passwd' %}", '{% include "../../../../etc/passwd" %}', "{% render '/etc/passwd' %}", "{% layout '/etc/passwd' %}", '{% include s %}']) {
    it(`refuses ${tag} with file:line and never reads the file`, () => {
      const r = render(`echo start\n${tag}`);
      expect(r).toBeInstanceOf(BadInputError);
      const e = r as BadInputError;
      expect(e.located).toMatch(/book\.md:\d+: /);
      expect(e.message).not.toContain('root:x:0:0');
    });
  }
});
