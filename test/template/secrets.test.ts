import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createMasker, createStreamMasker, isSecretName, MASK, secretValues } from '../../src/engine/secrets.js';

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

  it('holds back at most the longest secret length minus one characters', () => {
    const m = createStreamMasker(['abcdef']);
    const out = m.push('0123456789');
    expect(out).toBe('01234');
    expect(m.end()).toBe('56789');
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
