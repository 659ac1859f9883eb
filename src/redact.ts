/**
 * Scrubs secrets out of text bound for a log, an event, an error or a client: the secrets we know
 * (an API key, a token), and anything shaped like a credential in case a server echoes another one
 * ("Incorrect API key provided: sk-…"). A last line of defence: errors should not carry secrets in
 * the first place. Shared by every part, so there is one list of shapes to keep up to date.
 *
 * A known secret is found in any letter case, percent-encoded (wholly or in part, once or twice),
 * and inside base64 or base64url text at any alignment (e.g. in a `Basic` credential).
 */
const PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\bsk-[A-Za-z0-9_-]{6,}/gi, '[redacted]'],
  [/\b(api[_-]?key|token|secret|password|authorization)(["']?\s*(?:[:=]|%3[ad])\s*["']?)[^\s"'&,;]+/gi, '$1$2[redacted]'],
  [/(https?:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[redacted]@'],
];

/** Shorter secrets are matched as given (and in any case) only: their encodings would match too much. */
const MIN_ENCODED = 6;
const cache = new Map<string, RegExp[]>();

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** One character: itself (either case) or its UTF-8 bytes percent-encoded, possibly twice (%25xx). */
function charPattern(ch: string): string {
  const lower = ch.toLowerCase();
  const upper = ch.toUpperCase();
  const plain = lower !== upper ? `[${escape(lower)}${escape(upper)}]` : escape(ch);
  const bytes = [...Buffer.from(ch)].map((b) => `%(?:25)?${b.toString(16).padStart(2, '0').replace(/[a-f]/g, (c) => `[${c}${c.toUpperCase()}]`)}`).join('');
  return `(?:${plain}|${bytes})`;
}

/**
 * The part of base64(prefix + secret) that does not depend on the bytes around the secret, for
 * each of the three alignments a secret can have inside a longer encoded text.
 */
function base64Cores(secret: string): string[] {
  const data = Buffer.from(secret);
  const cores: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), data]).toString('base64');
    const core = enc.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + data.length)) / 6));
    if (core.length >= MIN_ENCODED) cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(cores)];
}

function secretPatterns(secret: string): RegExp[] {
  let res = cache.get(secret);
  if (!res) {
    res = [new RegExp([...secret].map(charPattern).join(''), 'g')];
    if (secret.length >= MIN_ENCODED) res.push(new RegExp(base64Cores(secret).map(escape).join('|'), 'g'));
    if (cache.size > 64) cache.clear(); // a handful of configured secrets; never grows with traffic
    cache.set(secret, res);
  }
  return res;
}

export function redact(text: string, secrets: readonly (string | undefined)[] = [], maxLength = Infinity): string {
  let out = text;
  for (const secret of secrets) if (secret) for (const re of secretPatterns(secret)) out = out.replace(re, '[redacted]');
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
}

// Our own ids (turn and request ids) are UUIDs: those are not secrets.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A path segment that could be a credential: long, opaque, letters and digits mixed. */
const opaque = (segment: string) =>
  segment.length >= 20 && /^[\w.~+=%-]+$/.test(segment) && /\d/.test(segment) && /[a-z]/i.test(segment) && !UUID.test(segment);

/**
 * A request URL fit for a log line: a token in the query or the path (someone's `GET /api/v1/<token>`)
 * never reaches the log, whether or not it is one we know.
 */
export function redactUrl(url: string, secrets: readonly (string | undefined)[] = []): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q))
    .split('/')
    .map((s) => (opaque(s) ? '[redacted]' : s))
    .join('/');
  const query = q < 0 ? '' : url.slice(q).replace(/([?&](?:token|key|api[_-]?key|secret|password|auth\w*)=)[^&]*/gi, '$1[redacted]');
  return redact(path + query, secrets);
}
