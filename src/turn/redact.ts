/**
 * Scrubs things that look like credentials out of text bound for a log, an event or a client.
 * A last line of defence: errors should not carry secrets in the first place.
 */
const PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, '[redacted]'],
  [/\b(api[_-]?key|token|secret|password|authorization)(["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi, '$1$2[redacted]'],
  [/(https?:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[redacted]@'],
];

export function redact(text: string, maxLength = 300): string {
  let out = text;
  for (const [re, to] of PATTERNS) out = out.replace(re, to);
  return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
}
