// Fuzzing whole runbook texts (front matter + Markdown + fences) and the preflight against an
// inventory: a valid Runbook, or a BadInputError naming the file and a line inside it.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseInventory } from '../../src/engine/inventory/inventory.js';
import { displayPath, parseRunbookText } from '../../src/engine/parser/load.js';
import { preflight } from '../../src/engine/run/preflight.js';
import { anyText, binaryText, deepYaml, expectValidOrBadInput, fcOptions, hugeLine, mutate, nestedYaml, FUZZ_TIMEOUT } from './support.js';

const FILE = '/tmp/runbook-fuzz/book.md';
const shown = displayPath(FILE);
const inventory = parseInventory('all:\n  hosts:\n    m1: {ansible_host: 10.0.0.1}\n    m2: {ansible_host: 10.0.0.2}\n    w1: {ansible_host: 10.0.0.3}\n  children:\n    masters:\n      hosts: {m1: {}, m2: {}}\n    workers:\n      hosts: {w1: {}}\n', '/tmp/runbook-fuzz/inv.yaml');

const lineCount = (t: string): number => t.split('\n').length + 1;

/** Parse, then (if it parsed) preflight against the inventory: both must fail only with located bad input. */
function check(text: string): void {
  const r = expectValidOrBadInput(() => parseRunbookText(text, FILE), shown, { needLine: true, maxLine: lineCount(text) });
  if (r instanceof Error) return;
  expectValidOrBadInput(() => preflight(r, inventory, {}), shown, { needLine: true, maxLine: lineCount(text) });
}

const VALID = `---
title: Upgrade
description: the control plane
hosts: masters
vars:
  version: "1.31"
  join_token: {value: abcdef.0123456789abcdef, secret: true}
  list: [1, 2, 3]
  nested: {a: {b: c}}
---
# Upgrade {{ version }}

Some text.

## Drain

\`\`\`bash {id=drain hosts=masters[0] sudo timeout=2m}
kubectl drain {{ host.name }} --ignore-daemonsets
\`\`\`

## Join

\`\`\`bash {id=join hosts=workers capture=out secret unless="test -f /etc/kubernetes/kubelet.conf"}
kubeadm join --token {{ join_token }}
\`\`\`

\`\`\`ini {file=/etc/x.conf mode=0644 hosts="masters,workers"}
x={{ nested.a.b }}
\`\`\`
`;

const fmKey = fc.constantFrom('title', 'description', 'hosts', 'vars', 'inventory', 'titel', 'Vars', 'extra', '<<', '? [a]', '');
const fmValue = fc.oneof(
  fc.constantFrom('x', '""', '42', 'true', 'null', '[]', '{}', '[a, b]', '{a: 1}', '&a x', '*a', '*missing', '!!binary aGk=', '!!js/function "x"', '|\n  block', '>-\n  folded', "'single'", '"unterminated', '{value: s3cr3t, secret: true}', '{value: x, secret: maybe}', '{secret: true}'),
  anyText.map((s) => JSON.stringify(s)),
);
const fmVars = fc.array(fc.tuple(fc.oneof(fc.constantFrom('host', 'groups', 'hosts', 'a-b', '1x', 'ok_name', 'db_password', 'api_key', 'x'), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/)), fmValue), { maxLength: 5 })
  .map((vs) => (vs.length ? `vars:\n${vs.map(([k, v]) => `  ${k}: ${v}`).join('\n')}` : 'vars: {}'));
const frontMatter = fc.array(fc.oneof(fc.tuple(fmKey, fmValue).map(([k, v]) => `${k}: ${v}`), fmVars, deepYaml.map((d) => `vars:\n  deep: ${d.replaceAll('\n', '\n  ')}`)), { maxLength: 5 }).map((ls) => `---\n${ls.join('\n')}\n---\n`);

const attrs = fc.array(
  fc.oneof(
    fc.constantFrom('id=a', 'id=a', 'id=b', 'id=-bad', 'id=""', 'hosts=all', 'hosts=nomatch', 'hosts=masters[5]', 'hosts=masters[1:]', 'hosts="masters,ghosts"', 'hosts=!workers', 'hosts=masters:&workers', 'hosts=~m.*', 'hosts=~(', 'hosts=""', 'sudo', 'timeout=0', 'timeout=xx', 'retries=-1', 'retries=3', 'delay=1s', 'capture=v', 'capture=1bad', 'secret', 'file=/etc/f', 'mode=0777', 'mode=999', 'owner=root', 'norun', 'serial=2', 'confirm', 'confirm="sure?"', 'verify="true"', 'unless=', 'bogus=1'),
  ),
  { maxLength: 6 },
);
const body = fc.oneof(fc.constantFrom('echo ok', 'echo {{ version }}', 'echo {{ missing_var }}', 'echo {{ host.name | upcase }}', 'echo {% if x %}', 'echo {{ }}', '{% raw %}{{ x }}{% endraw %}', 'echo {{ v }}', '', '```'), anyText);
const fence = fc.tuple(fc.constantFrom('bash', 'sh', 'ini', 'yaml', ''), attrs, body, fc.constantFrom('```', '~~~', '````')).map(([lang, as, b, f]) => `${f}${lang} {${as.join(' ')}}\n${b}\n${f}\n`);
const markdown = fc.array(fc.oneof(fc.constantFrom('# Title\n', '## Section\n', '### Sub\n', 'text\n', '\n', '- list\n', '> quote\n', '<!-- comment -->\n', '    indented code\n'), fence, anyText.map((s) => `${s}\n`)), { maxLength: 10 }).map((ps) => ps.join(''));
const document = fc.tuple(fc.option(frontMatter), markdown).map(([fm, md]) => `${fm ?? ''}${md}`);

describe('fuzz: runbook text (parseRunbookText + preflight)', () => {
  it('accepts the valid base runbook', () => {
    check(VALID);
  });

  it('returns or throws located BadInputError for generated runbooks (front matter, fences, duplicate ids, patterns that match nothing)', () => {
    fc.assert(fc.property(document, check), fcOptions());
  }, FUZZ_TIMEOUT);

  it('returns or throws located BadInputError for mutations of a valid runbook', () => {
    fc.assert(fc.property(mutate(VALID), check), fcOptions());
  }, FUZZ_TIMEOUT);

  it('returns or throws located BadInputError for binary garbage, huge lines and deep YAML', () => {
    const garbage = fc.oneof(
      { arbitrary: binaryText, weight: 6 },
      { arbitrary: binaryText.map((b) => `---\n${b}\n---\n# x\n`), weight: 6 },
      { arbitrary: hugeLine.map((l) => `# t\n\n${l}\n\`\`\`bash {id=x}\necho ${l.slice(0, 5000)}\n\`\`\`\n`), weight: 1 },
      { arbitrary: hugeLine.map((l) => `---\ntitle: ${l}\n---\n`), weight: 1 },
      { arbitrary: deepYaml.map((d) => `---\nvars:\n  v: ${d.replaceAll('\n', '\n  ')}\n---\n# x\n`), weight: 3 },
      { arbitrary: deepYaml.map((d) => `---\n${d}\n---\n`), weight: 3 },
    );
    fc.assert(fc.property(garbage, check), fcOptions());
  }, FUZZ_TIMEOUT);

  it.each([10_000, 50_000] as const)('refuses or accepts front matter nested %i levels deep without a stack overflow', (n) => {
    for (const kind of ['flow-seq', 'flow-map'] as const) check(`---\nvars:\n  v: ${nestedYaml(n, kind)}\n---\n# x\n`);
  });
});
