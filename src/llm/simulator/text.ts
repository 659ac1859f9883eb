/** What the simulator says: demo replies, echo, and splitting text into token-sized pieces. */

/**
 * Splits text into token-like pieces: a word with its leading whitespace, or one punctuation mark
 * or symbol. Joining the pieces gives back the text exactly.
 */
export function tokenize(text: string): string[] {
  const pieces = text.match(/\s*(?:[\p{L}\p{N}\p{M}_'’]+|[^\s])|\s+$/gsu);
  return pieces ?? [];
}

/** Rough token count, the same way, for usage numbers. */
export function countTokens(text: string): number {
  return tokenize(text).length;
}

/**
 * Demo replies: spoken-style, varied in length, so demo mode exercises short answers, long ones
 * and sentence-by-sentence speech alike.
 */
export const DEMO_REPLIES: readonly string[] = [
  "Sure! I'm running in demo mode right now, so this answer comes from Barnabee's built-in simulator rather than a real language model.",
  'Good question. In demo mode I can only pretend to think, but the streaming, the speech and the dashboard are all real.',
  'Happy to help. To get real answers, set OPENROUTER_API_KEY, or point LLM_BASE_URL at any OpenAI-compatible server, such as Ollama or llama.cpp.',
  "Here's a thought: the best voice assistants answer quickly, speak naturally, and stop talking the moment you interrupt them. That's exactly what this demo is showing you, as the answer is written.",
  'Okay.',
  "Let me think about that for a second. Well, I'm a simulated model, so I don't really know. But if you connect a real one, it will stream its answer here just like this, and I'll start speaking before it has finished writing.",
  "Absolutely. Fun fact while we're at it: honey never spoils. Archaeologists have found pots of it in ancient tombs that were still perfectly edible.",
  "I hear you. This reply is deliberately a little longer, so you can watch the text arrive as it is written, and hear the speech begin after the first sentence, while the rest is still on its way. Try interrupting me to see barge-in work.",
  'Noted! Anything else I can do for you?',
  "Hmm, that's an interesting one. I'd say it depends, but since I'm only a simulator, please take my opinion with a grain of salt.",
];

/** FNV-1a: a stable, fast string hash, so the same question always gets the same demo reply. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function demoReply(lastUserMessage: string): string {
  const normalized = lastUserMessage.trim().toLowerCase();
  return DEMO_REPLIES[hash(normalized) % DEMO_REPLIES.length]!;
}
