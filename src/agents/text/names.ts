/**
 * The names the assistant answers to, dropped from an utterance like "hey Barnabee, …" before any
 * rule reads it: the configured name (ASSISTANT_NAME, one word or several) and Barnabee with the
 * ways speech-to-text mishears it, which a renamed assistant may still be called by habit.
 */

const BARNABEE = ['barnabee', 'barnaby', 'barney', 'barnabe', 'barnabie'];

/** The wake names as normalized tokens. */
export function assistantNames(assistantName = 'Barnabee'): ReadonlySet<string> {
  return new Set([...BARNABEE, ...assistantName.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean)]);
}
