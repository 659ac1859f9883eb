/**
 * The model fallback for commands the rules cannot parse: one non-streaming call asking for JSON,
 * validated against the schema and the real entity list before anything runs.
 */
import { z } from 'zod';
import type { ChatMessage } from '../llm/index.js';
import type { HomeEntity } from './home/index.js';
import { domainOf } from './home/index.js';
import { tempRange, type ServiceCall } from './action-plan.js';
import { stateWords } from './action-speech.js';

export const LLM_SERVICES = [
  'light.turn_on',
  'light.turn_off',
  'light.toggle',
  'switch.turn_on',
  'switch.turn_off',
  'switch.toggle',
  'climate.set_temperature',
  'climate.turn_on',
  'climate.turn_off',
  'lock.lock',
  'lock.unlock',
  'scene.turn_on',
  'fan.turn_on',
  'fan.turn_off',
  'fan.set_percentage',
  'cover.open_cover',
  'cover.close_cover',
  'cover.set_cover_position',
  'media_player.turn_on',
  'media_player.turn_off',
  'media_player.media_play',
  'media_player.media_pause',
  'media_player.volume_set',
] as const;

/** The field each level-setting service needs, as Home Assistant names it, with its range. */
const LEVELS: Partial<Record<(typeof LLM_SERVICES)[number], { key: 'temperature' | 'percentage' | 'position' | 'volume_level'; words: string }>> = {
  'climate.set_temperature': { key: 'temperature', words: 'temperature' },
  'fan.set_percentage': { key: 'percentage', words: 'speed' },
  'cover.set_cover_position': { key: 'position', words: 'position' },
  'media_player.volume_set': { key: 'volume_level', words: 'volume' },
};

const planSchema = z.object({
  actions: z
    .array(
      z.object({
        service: z.enum(LLM_SERVICES),
        entity_id: z.string().min(3),
        brightness_pct: z.number().int().min(0).max(100).optional(),
        temperature: z.number().finite().optional(),
        percentage: z.number().int().min(0).max(100).optional(),
        position: z.number().int().min(0).max(100).optional(),
        volume_level: z.number().min(0).max(1).optional(),
      }),
    )
    .max(20),
});

/** Enough for any home a person can describe by voice; keeps a huge install from flooding the prompt. */
const MAX_PROMPT_ENTITIES = 300;

export function planPrompt(entities: HomeEntity[], text: string): ChatMessage[] {
  const lines = entities
    .filter((e) => LLM_SERVICES.some((s) => s.startsWith(`${domainOf(e.entity_id)}.`)))
    .slice(0, MAX_PROMPT_ENTITIES)
    .map((e) => {
      const a = e.attributes;
      const aliases = Array.isArray(a.aliases) && a.aliases.length ? ` (also: ${a.aliases.join(', ')})` : '';
      const areaAliases = Array.isArray(a.area_aliases) && a.area_aliases.length ? ` (also: ${a.area_aliases.join(', ')})` : '';
      const area = typeof a.area === 'string' ? `, in the ${a.area}${areaAliases}` : '';
      return `- ${e.entity_id}: ${a.friendly_name}${aliases}${area}; ${stateWords(e)}`;
    });
  const system = [
    'You control a smart home. Turn the request into service calls on the entities below.',
    'Reply with one JSON object and nothing else: {"actions":[{"service":"<service>","entity_id":"<entity_id>"}]}.',
    'Add "brightness_pct" (0-100) to light.turn_on to set a level, "temperature" (degrees) to climate.set_temperature, "percentage" (0-100) to fan.set_percentage, "position" (0-100, 100 is open) to cover.set_cover_position and "volume_level" (0-1) to media_player.volume_set.',
    `Services: ${LLM_SERVICES.join(', ')}.`,
    'Use only entity ids from the list. If the request is unclear or not about these devices, reply {"actions":[]}.',
    'Entities:',
    ...lines,
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: text },
  ];
}

export type PlanResult = { ok: true; calls: ServiceCall[] } | { ok: false; reason: string };

/** The model's reply as service calls, or why it cannot be trusted. */
export function parsePlan(reply: string, entities: Map<string, HomeEntity>): PlanResult {
  // Some models wrap JSON in a code fence even when asked not to.
  const body = reply.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the model did not reply with JSON' };
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `the model's plan is malformed (${parsed.error.issues[0]?.message ?? 'invalid'})` };
  if (!parsed.data.actions.length) return { ok: false, reason: 'the model found nothing to do' };
  const calls: ServiceCall[] = [];
  for (const a of parsed.data.actions) {
    const entity = entities.get(a.entity_id);
    if (!entity) return { ok: false, reason: `the model named an unknown device ${JSON.stringify(a.entity_id)}` };
    if (domainOf(a.entity_id) !== a.service.split('.')[0]) return { ok: false, reason: `${a.service} does not apply to ${a.entity_id}` };
    const data: ServiceCall['data'] = {};
    const level = LEVELS[a.service];
    if (level) {
      const value = a[level.key];
      if (value === undefined) return { ok: false, reason: `the model gave no ${level.words}` };
      const { min, max } = tempRange(entity);
      if (level.key === 'temperature' && (value < min || value > max))
        return { ok: false, reason: `${value} degrees is outside the thermostat's range` };
      data[level.key] = value;
    }
    if (a.service === 'light.turn_on' && a.brightness_pct !== undefined) data.brightness_pct = a.brightness_pct;
    calls.push({ service: a.service, entity, data });
  }
  return { ok: true, calls };
}
