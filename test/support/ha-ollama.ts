/**
 * Request bodies exactly as Home Assistant's Ollama integration sends them, rebuilt from its source
 * (homeassistant/components/ollama/entity.py `_async_handle_chat_log`, through ollama-python's
 * `AsyncClient.chat`, which dumps with `exclude_none` and drops falsy message fields):
 * `{model, stream: true, options: {num_ctx}, keep_alive, messages, tools, think}` — `tools` is `[]`
 * without the Assist API, `keep_alive` is -1 or "<n>s", `think` is false unless enabled; assistant
 * messages carry `tool_calls[{function: {name, arguments: {…}}}]` without ids (and no `content`
 * when it was empty), tool results are `{role: "tool", content: '{"data": …, "error": …}'}`.
 */

/** The start of the system prompt HA renders with the Assist API (helpers/llm.py), with a static home overview. */
export const HA_SYSTEM_PROMPT = [
  'You are a voice assistant for Home Assistant.',
  'Answer questions about the world truthfully.',
  'Answer in plain text. Keep it simple and to the point.',
  'When controlling Home Assistant always call the intent tools. Use HassTurnOn to lock and HassTurnOff to unlock a lock. When controlling a device, prefer passing just name and domain. When controlling an area, prefer passing just area name and domain.',
  'When a user asks to turn on all devices of a specific type, ask user to specify an area, unless there is only one device of that type.',
  'This device is not able to start timers.',
  'You ARE equipped to answer questions about the current state of',
  'the home using the `GetLiveContext` tool. This is a primary function. Do not state you lack the',
  'functionality if the question requires live data.',
  'Static Context: An overview of the areas and the devices in this smart home:',
  '- names: Kitchen Light\n  domain: light\n  areas: Kitchen',
  '- names: Front Door\n  domain: lock\n  areas: Hallway',
].join('\n');

const DOMAINS = ['button', 'cover', 'fan', 'input_boolean', 'input_button', 'light', 'lock', 'media_player', 'scene', 'script', 'switch', 'valve'];
const target = {
  name: { type: 'string' },
  area: { type: 'string' },
  floor: { type: 'string' },
  domain: { type: 'array', items: { type: 'string', enum: DOMAINS } },
  device_class: { type: 'array', items: { type: 'string', enum: ['awning', 'blind', 'curtain', 'door', 'garage', 'gate', 'shade', 'shutter', 'window', 'water', 'gas', 'outlet', 'tv', 'speaker', 'receiver'] } },
};

/** HA's Assist API intent tools as ollama-python serializes them (`Tool.model_dump(exclude_none=True)`). */
export const HA_TOOLS = [
  {
    type: 'function',
    function: { name: 'HassTurnOn', description: 'Turns on/opens/presses a device or entity. For locks, this performs a \'lock\' action. Use for requests like \'turn on\', \'activate\', \'enable\', or \'lock\'.', parameters: { type: 'object', properties: target } },
  },
  {
    type: 'function',
    function: { name: 'HassTurnOff', description: 'Turns off/closes a device or entity. For locks, this performs an \'unlock\' action. Use for requests like \'turn off\', \'deactivate\', \'disable\', or \'unlock\'.', parameters: { type: 'object', properties: target } },
  },
  {
    type: 'function',
    function: {
      name: 'HassLightSet',
      description: 'Sets the brightness percentage or color of a light',
      parameters: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          area: { type: 'string' },
          floor: { type: 'string' },
          domain: { type: 'array', items: { type: 'string', enum: ['light'] } },
          color: { type: 'string' },
          temperature: { type: 'integer' },
          brightness: { type: 'integer', description: 'The brightness percentage of the light between 0 and 100, where 0 is off and 100 is fully lit' },
        },
      },
    },
  },
  {
    type: 'function',
    function: { name: 'HassCancelAllTimers', description: 'Cancels all timers', parameters: { type: 'object', properties: { area: { type: 'string' } } } },
  },
  {
    type: 'function',
    function: {
      name: 'GetLiveContext',
      description: 'Provides real-time information about the CURRENT state, value, or mode of devices, sensors, entities, or areas. Use this tool for: 1. Answering questions about current conditions (e.g., \'Is the light on?\'). 2. As the first step in conditional actions (e.g., \'If the weather is rainy, turn off sprinklers\' requires checking the weather first).',
      parameters: { type: 'object', properties: {} },
    },
  },
];

type Message = Record<string, unknown>;

export interface HaBodyOptions {
  model?: string;
  /** With the Assist API ("control Home Assistant"): its tools; otherwise `tools: []`. */
  assist?: boolean;
  keepAlive?: number | string;
  think?: boolean;
  numCtx?: number;
}

/** One `/api/chat` body, as HA's Ollama conversation entity sends it. */
export function haChatBody(messages: Message[], o: HaBodyOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: o.model ?? 'barnabee',
    stream: true,
    options: { num_ctx: o.numCtx ?? 8192 },
    keep_alive: o.keepAlive ?? -1,
    messages,
    tools: o.assist ? HA_TOOLS : [],
  };
  // ollama-python drops `think` only when None; HA's default is False.
  body.think = o.think ?? false;
  return body;
}

export const system = (content = HA_SYSTEM_PROMPT): Message => ({ role: 'system', content });
export const user = (content: string): Message => ({ role: 'user', content });
/** An assistant turn as HA stores it: `content` dropped when empty, `thinking` when present, calls without ids. */
export const assistant = (content: string, calls: Array<[string, Record<string, unknown>]> = [], thinking?: string): Message => ({
  role: 'assistant',
  ...(content ? { content } : {}),
  ...(thinking ? { thinking } : {}),
  ...(calls.length ? { tool_calls: calls.map(([name, args]) => ({ function: { name, arguments: args } })) } : {}),
});
/** A tool result as HA's `_convert_content` makes it: `{"data": …, "error": …}` JSON, no tool name. */
export const toolResult = (data: unknown, error: unknown = null): Message => ({ role: 'tool', content: JSON.stringify({ data, error }) });

/** A long conversation: earlier rounds with tool calls, their results, thinking, and an image. */
export function longHistory(): Message[] {
  return [
    system(),
    user('what is the weather like'),
    assistant('It is sunny and 21 degrees.'),
    user('turn off the kitchen light'),
    assistant('', [['HassTurnOff', { name: 'Kitchen Light', domain: ['light'] }]], 'The user wants the light off.'),
    toolResult({ speech: {}, response_type: 'action_done', data: { targets: [], success: [{ name: 'Kitchen Light', type: 'entity', id: 'light.kitchen' }], failed: [] } }),
    assistant('The kitchen light is off.'),
    user('is the front door locked and the hallway light on'),
    assistant('', [
      ['GetLiveContext', {}],
      ['HassTurnOn', { name: 'Hallway Light' }],
    ]),
    toolResult({ success: true, result: 'Front Door: locked' }),
    toolResult({ speech: {}, response_type: 'action_done' }),
    assistant('The front door is locked, and I turned the hallway light on.'),
    { role: 'user', content: 'what is in this picture', images: ['iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='] },
    assistant('A single white pixel.'),
  ];
}
