import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createByteMasker, createMasker, encodedForms, createStreamMasker, isSecretName, MASK, secretValues } from '../../src/engine/secrets.js';

describe('isSecretName', () => {
  it.each(['token', 'join_token', 'password', 'DB_PASSWORD', 'passwd', 'secret', 'client_secret', 'key', 'ssh_key', 'certificate_key', 'apiKey', 'API_KEY', 'vault-passphrase', 'ansible_ssh_pass'])(
    'treats %s as secret',
    (name) => expect(isSecretName(name)).toBe(true),
  );

  it.each(['keepalived_priority', 'hostname', 'key_file', 'keyboard', 'monkey', 'tokenizer_mode', 'port', 'user', 'pass_through_mode'])('does not treat %s as secret', (name) =>
    expect(isSecretName(name)).toBe(false),
  );
});

describe('createMasker', () => {
  it('replaces every occurrence of each secret value', () => {
    const mask = createMasker(['hunter22', 's3cr3t-token']);
    expect(mask('pw=hunter22 again hunter22, tok s3cr3t-token')).toBe(`pw=${MASK} again ${MASK}, tok ${MASK}`);
  });

  it('ignores values shorter than 4 characters', () => {
    const mask = createMasker(['abc', 'abcd']);
    expect(mask('abc abcd')).toBe(`abc ${MASK}`);
  });

  it('masks a secret that contains another secret as a whole', () => {
    const mask = createMasker(['pass', 'password123']);
    expect(mask('password123 pass')).toBe(`${MASK} ${MASK}`);
  });

  it('treats regular expression characters in secrets literally', () => {
    const mask = createMasker(['a.b*c(d)']);
    expect(mask('a.b*c(d) aXbbc(d)')).toBe(`${MASK} aXbbc(d)`);
  });

  it('returns text unchanged when there are no secrets', () => {
    expect(createMasker([])('nothing to hide')).toBe('nothing to hide');
  });
});

describe('createStreamMasker', () => {
  it('masks a secret split across chunks', () => {
    const m = createStreamMasker(['supersecret']);
    const out = m.push('token: super') + m.push('sec') + m.push('ret\nnext line') + m.end();
    expect(out).toBe(`token: ${MASK}\nnext line`);
  });

  it('holds back at most the longest masked form (here the hex of the secret, 12 characters) minus one', () => {
    const m = createStreamMasker(['abcdef']);
    const out = m.push('0123456789ABCDEFGHIJ');
    expect(out).toBe('012345678');
    expect(m.end()).toBe('9ABCDEFGHIJ');
  });

  it('passes chunks straight through when there are no secrets', () => {
    const m = createStreamMasker([]);
    expect(m.push('abc')).toBe('abc');
    expect(m.end()).toBe('');
  });

  it('gives the same result as the whole-text masker for any chunking', () => {
    const secrets = ['hunter22', 'hunt', 'topsecretvalue'];
    const whole = createMasker(secrets);
    const alphabet = fc.constantFrom('h', 'u', 'n', 't', 'e', 'r', '2', ' ', 'topsecretvalue', 'hunter22', 'x');
    fc.assert(
      fc.property(fc.array(fc.array(alphabet, { maxLength: 8 }).map((a) => a.join('')), { maxLength: 8 }), (chunks) => {
        const m = createStreamMasker(secrets);
        const streamed = chunks.map((c) => m.push(c)).join('') + m.end();
        expect(streamed).toBe(whole(chunks.join('')));
      }),
    );
  });
});

describe('encoded forms of secrets', () => {
  const secret = 'db@Pass:w0rd/42';

  it('masks the base64 of a secret at any alignment inside a longer base64 text', () => {
    const mask = createMasker([secret]);
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const b64 = Buffer.from(`${prefix}${secret}-and-more`).toString('base64');
      const masked = mask(`data: ${b64}`);
      expect(masked, prefix).toContain(MASK);
      // What is left around the mask decodes to at most 2 bytes of the secret on either side.
      expect(masked.replace(MASK, '').length).toBeLessThan(`data: ${b64}`.length - 8);
    }
  });

  it('masks its hex (either case) and its URL-encoding', () => {
    const mask = createMasker([secret]);
    const hex = Buffer.from(secret).toString('hex');
    expect(mask(`h=${hex} H=${hex.toUpperCase()} u=${encodeURIComponent(secret)}`)).toBe(`h=${MASK} H=${MASK} u=${MASK}`);
  });

  it('leaves forms shorter than 8 characters alone (a 4-character secret\'s base64 is not masked)', () => {
    expect(encodedForms('abcd').every((f) => f.length >= 8)).toBe(true);
    expect(createMasker(['abcd'])('YWJj')).toBe('YWJj');
  });
});

describe('createByteMasker', () => {
  const masked = (secrets: string[], chunks: readonly Buffer[]): Buffer => {
    const m = createByteMasker(secrets);
    return Buffer.concat([...chunks.map((c) => m.push(c)), m.end()]);
  };

  it('keeps every byte of output that holds no secret exactly, binary included', () => {
    const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const chunks = [bin.subarray(0, 1), bin.subarray(1, 1000), bin.subarray(1000)];
    expect(masked(['hunter22-secret'], chunks).equals(bin)).toBe(true);
  });

  it('keeps a multi-byte character split between chunks byte-exact', () => {
    const text = Buffer.from('naïve café ✓ 日本', 'utf8');
    const chunks = Array.from(text).map((b) => Buffer.from([b])); // one byte per chunk
    expect(masked(['hunter22'], chunks).toString('utf8')).toBe('naïve café ✓ 日本');
  });

  it('masks a secret split across chunks, non-ASCII secrets included', () => {
    const out = masked(['pässwörd-1'], [Buffer.from('pw=p\xc3', 'latin1'), Buffer.from('\xa4ssw\xc3\xb6rd-1\n', 'latin1')]);
    expect(out.toString('utf8')).toBe(`pw=${MASK}\n`);
  });

  it('gives the same bytes as a naive byte-by-byte masker for any chunking and any bytes around', () => {
    const secrets = ['hunter22', 'hunt', 'tøpsecret'];
    const pats = secrets.map((x) => Buffer.from(x, 'utf8')).sort((x, y) => y.length - x.length);
    const naive = (all: Buffer): Buffer => {
      const out: number[] = [];
      for (let i = 0; i < all.length; ) {
        const hit = pats.find((p) => all.subarray(i, i + p.length).equals(p));
        if (hit) {
          out.push(...Buffer.from(MASK));
          i += hit.length;
        } else out.push(all[i++]);
      }
      return Buffer.from(out);
    };
    const piece = fc.oneof(fc.constantFrom('hunter22', 'tøpsecret', 'hun', 'ter', 'é').map((x) => Buffer.from(x, 'utf8')), fc.uint8Array({ maxLength: 6 }).map((x) => Buffer.from(x)));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(60), { maxLength: 6 }), (pieces, cuts) => {
        const all = Buffer.concat(pieces);
        const points = [...new Set([0, ...cuts.map((c) => c % (all.length + 1)), all.length])].sort((x, y) => x - y);
        const chunks = points.slice(1).map((end, i) => all.subarray(points[i], end));
        expect(masked(secrets, chunks).equals(naive(all))).toBe(true);
      }),
    );
  });

  it('masks each stream on its own when maskers of the same secrets are fed in turns (as the hosts of a step are)', () => {
    const secrets = ['hunter22', 'tøpsecret'];
    const a = createByteMasker(secrets);
    const b = createByteMasker([...secrets]); // equal, not the same array
    const c = createByteMasker(['other-secret']);
    const outA: Buffer[] = [];
    const outB: Buffer[] = [];
    const outC: Buffer[] = [];
    // Each secret is split across two pushes of its stream, with the other streams pushed between.
    outA.push(a.push(Buffer.from('a: hunt')));
    outB.push(b.push(Buffer.from('b: tøps', 'utf8')));
    outC.push(c.push(Buffer.from('c: hunter22 other-')));
    outA.push(a.push(Buffer.from('er22 tøpsecret\n', 'utf8')));
    outB.push(b.push(Buffer.from('ecret hunter22\n', 'utf8')));
    outC.push(c.push(Buffer.from('secret\n')));
    outA.push(a.end());
    outB.push(b.end());
    outC.push(c.end());
    expect(Buffer.concat(outA).toString('utf8')).toBe(`a: ${MASK} ${MASK}\n`);
    expect(Buffer.concat(outB).toString('utf8')).toBe(`b: ${MASK} ${MASK}\n`);
    expect(Buffer.concat(outC).toString('utf8')).toBe(`c: hunter22 ${MASK}\n`);
  });

  it('masks with the secrets it was given, whatever maskers were made before (with others, or none)', () => {
    for (let i = 0; i < 40; i++) createByteMasker([`secret-number-${i}`]); // more sets than are kept
    const first = createByteMasker(['secret-number-3']);
    expect(Buffer.concat([first.push(Buffer.from('secret-number-3 secret-number-4\n')), first.end()]).toString()).toBe(`${MASK} secret-number-4\n`);
    const m = createByteMasker(['secret-number-39', 'secret-number-3']);
    expect(Buffer.concat([m.push(Buffer.from('secret-number-39 secret-number-3 secret-number-4\n')), m.end()]).toString()).toBe(`${MASK} ${MASK} secret-number-4\n`);
    const none = createByteMasker([]);
    expect(Buffer.concat([none.push(Buffer.from('secret-number-3\n')), none.end()]).toString()).toBe('secret-number-3\n');
  });

  it('passes chunks straight through when there are no secrets', () => {
    const chunk = Buffer.from([0xff, 0x00, 0xc3]);
    const m = createByteMasker([]);
    expect(m.push(chunk)).toBe(chunk);
    expect(m.end().length).toBe(0);
  });
});

describe('secretValues', () => {
  it('collects the named values from every source, stringified, once each', () => {
    expect(secretValues(['pw', 'pin', 'absent'], { pw: 'hunter22', other: 'x' }, { pw: 'hunter22', pin: 123456 }, { pin: 'alt-pin' })).toEqual([
      'hunter22',
      '123456',
      'alt-pin',
    ]);
  });

  it('skips objects and lists', () => {
    expect(secretValues(['k'], { k: { nested: 'x' } }, { k: ['a'] })).toEqual([]);
  });
});
