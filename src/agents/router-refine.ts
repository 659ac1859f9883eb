/**
 * The router's optional second opinion: one non-streaming model call that returns JSON, validated
 * before it can change anything. Any failure (network, timeout, bad JSON, an intent the chosen
 * agent does not know) keeps the rule decision.
 */
import { z } from 'zod';
import type { LlmClient, ChatMessage } from '../llm/index.js';
import type { RouteDecision } from '../turn/index.js';

/** The intents each agent understands; the model may only choose among these. */
export const INTENTS = {
  instant: [
    'time.now', 'date.today', 'date.weekday', 'math.evaluate', 'math.percent', 'units.convert', 'greeting', 'thanks',
    'capabilities', 'coin.flip', 'dice.roll',
  ],
  action: ['home.command', 'home.query'],
  interaction: ['chat'],
} as const satisfies Record<RouteDecision['agent'], readonly string[]>;

const Answer = z
  .object({
    agent: z.enum(['instant', 'action', 'interaction']),
    intent: z.string(),
    confidence: z.number().min(0).max(1).optional(),
  })
  .refine((a) => (INTENTS[a.agent] as readonly string[]).includes(a.intent), { message: 'intent does not belong to agent' });

const SYSTEM = `You route a voice assistant's utterances. Reply with one JSON object only:
{"agent": "instant" | "action" | "interaction", "intent": string, "confidence": number between 0 and 1}
- instant: answered without a model. Intents: ${INTENTS.instant.join(', ')}.
- action: the smart home. "home.command" for anything that controls a device, scene, thermostat or lock; "home.query" for questions about the state of the home ("is the front door locked?").
- interaction: everything else, including questions that merely mention devices ("how do I turn on a light in Minecraft"). Intent "chat".
If unsure, choose interaction.`;

/** The longest utterance sent for a second opinion; routing never needs more. */
const MAX_CHARS = 500;

export interface RefineOptions {
  llm: LlmClient;
  model?: string;
  timeoutMs: number;
}

export async function refineWithModel(
  text: string,
  rule: RouteDecision,
  signal: AbortSignal,
  options: RefineOptions,
): Promise<RouteDecision> {
  if (signal.aborted) return rule;
  const messages: ChatMessage[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: text.slice(0, MAX_CHARS) },
  ];
  try {
    const completion = await options.llm.complete(
      { messages, model: options.model, temperature: 0, max_tokens: 60, response_format: { type: 'json_object' } },
      { signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]) },
    );
    const parsed = Answer.safeParse(extractJson(completion.text));
    if (!parsed.success) return rule;
    const { agent, intent, confidence } = parsed.data;
    return { agent, intent, confidence: confidence ?? 0.75 };
  } catch {
    return rule;
  }
}

/** Models sometimes wrap JSON in prose or code fences; take the outermost object. */
function extractJson(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return null;
  }
}
