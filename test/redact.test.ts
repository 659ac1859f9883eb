/** The scrubber finds a known secret in any letter case, percent-encoded, and inside base64 / base64url text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { redact, redactUrl } from '../src/redact.js';

/** Whether any base64 / base64url run in `text`, decoded at any alignment, contains `secret`. */
function base64Holds(text: string, secret: string): boolean {
  for (const run of text.match(/[A-Za-z0-9+/_-]{4,}/g) ?? [])
    for (let off = 0; off < 4; off++) if (Buffer.from(run.slice(off), 'base64').includes(secret)) return true;
  return false;
}

const percentAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

describe('redact: known secrets in every form', () => {
  const SECRET = 'Tok3n-SeCret_value.42';

  it('exact, any letter case, percent-encoded (partly, wholly, twice), in a URL path', () => {
    for (const form of [
      SECRET,
      SECRET.toUpperCase(),
      SECRET.toLowerCase(),
      encodeURIComponent(SECRET),
      percentAll(SECRET),
      percentAll(SECRET).toUpperCase(),
      percentAll(SECRET).replace(/%/g, '%25'),
      SECRET.replace('S', '%53'),
    ]) {
      const out = redact(`GET /api/v1/${form}?x=1 failed`, [SECRET]);
      assert.ok(!out.includes(form), `${form} → ${out}`);
      assert.match(out, /\[redacted\]/);
    }
  });

  it('inside base64 and base64url at every alignment (a Basic credential, a JWT-ish blob)', () => {
    for (const prefix of ['', 'u:', 'ab:', 'user:'])
      for (const enc of ['base64', 'base64url'] as const) {
        const blob = Buffer.from(`${prefix}${SECRET}!tail`).toString(enc);
        const out = redact(`header was ${blob}`, [SECRET]);
        assert.ok(!base64Holds(out, SECRET), `${prefix}/${enc}: ${out}`);
      }
  });

  it('property: any secret, any form, any surrounding text', () => {
    const secret = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~:/+=!é'), minLength: 8, maxLength: 48 }).filter((s) => s.trim() === s);
    const around = fc.string({ maxLength: 20 });
    const form = fc.constantFrom('plain', 'upper', 'lower', 'uri', 'percent', 'base64', 'base64url');
    fc.assert(
      fc.property(secret, around, around, form, (s, a, b, f) => {
        const shown =
          f === 'plain' ? s
          : f === 'upper' ? s.toUpperCase()
          : f === 'lower' ? s.toLowerCase()
          : f === 'uri' ? encodeURIComponent(s)
          : f === 'percent' ? percentAll(s)
          : Buffer.from(a + s + b).toString(f);
        const out = redact(`${a}${shown}${b}`, [s]);
        if (f === 'base64' || f === 'base64url') return !base64Holds(out, s);
        const lower = out.toLowerCase();
        return !lower.includes(s.toLowerCase()) && !decodeURIComponentSafe(out).toLowerCase().includes(s.toLowerCase());
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('credential shapes in any case and URL-encoded key=value', () => {
    assert.equal(redact('key SK-ABCDEF123456 bad'), 'key [redacted] bad');
    assert.equal(redact('BEARER abc.def'), 'BEARER [redacted]');
    assert.equal(redact('url?TOKEN%3Dabc123&x=1'), 'url?TOKEN%3D[redacted]&x=1');
    assert.equal(redact('nothing secret here'), 'nothing secret here');
  });
});

describe('redactUrl: a URL fit for a log line', () => {
  it('hides opaque path segments and credential query values, keeps ordinary paths and our UUIDs', () => {
    assert.equal(redactUrl('/api/v1/chat/completions?stream=1'), '/api/v1/chat/completions?stream=1');
    assert.equal(redactUrl('/api/v1/turns/0b7e7d5e-9f3c-4a55-8a10-2b7f7e0f4a11'), '/api/v1/turns/0b7e7d5e-9f3c-4a55-8a10-2b7f7e0f4a11');
    assert.equal(redactUrl('/api/v1/9f8e7d6c5b4a39281706aBcD'), '/api/v1/[redacted]');
    assert.equal(redactUrl('/api/v1/ws?token=abc&api_key=def&x=1'), '/api/v1/ws?token=[redacted]&api_key=[redacted]&x=1');
    assert.equal(redactUrl('/x/short-S3cret', ['short-S3cret']), '/x/[redacted]');
  });
});

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
