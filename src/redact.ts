/**
 * Scrubs secrets out of text bound for a log, an event, an error or a client: the secrets we know
 * (an API key, a token), and anything shaped like a credential in case a server echoes another one
 * ("Incorrect API key provided: sk-…"). A last line of defence: errors should not carry secrets in
 * the first place. Shared by every part, so there is one list of shapes to keep up to date.
 */
const PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\bsk-[A-Za-z0-9_-]{6,}/g, '[redacted]'],
  [/\b(api[_-]?key|token|secret|password|authorization)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi, '$1$2[redacted]'],
  [/(https?:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[redacted]@'],
];

export function redact(text: string, secrets: readonly (string | undefined)[] = [], maxLength = Infinity): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
}
