/**
 * Contraction expansion shared by the router's and the action agent's normalizers. Both expand the
 * common spoken forms below; each adds its own extras (the router drops possessive "'s" and expands
 * "n't"/"'re"/"'ll" generically; the action agent also fixes apostrophe-less "whats", "im", "dont").
 */

export type Contractions = readonly (readonly [RegExp, string])[];

/** Contractions both agents expand the same way. Whole words, so order among them does not matter. */
export const COMMON_CONTRACTIONS: Contractions = [
  [/\bwhat's\b/g, 'what is'],
  [/\bit's\b/g, 'it is'],
  [/\bthat's\b/g, 'that is'],
  [/\bhow's\b/g, 'how is'],
  [/\bwhere's\b/g, 'where is'],
  [/\blet's\b/g, 'let us'],
  [/\bi'm\b/g, 'i am'],
];

/** Applies `table` in order (put generic suffix rules such as `/'s\b/` after the specific words). */
export function expandContractions(text: string, table: Contractions): string {
  let t = text;
  for (const [re, to] of table) t = t.replace(re, to);
  return t;
}
