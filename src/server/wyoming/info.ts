/**
 * `describe` → `info` (docs/protocol.md, "Wyoming server"): a `handle` program (the conversation
 * agent, streaming, allowed to control the home) and, when speech is configured, a `tts` program
 * with the engine's voices and streaming synthesis.
 */
import { FLITE_VOICES, type TtsEngine } from '../../speech/index.js';

const URL = 'https://github.com/barnabee-voice/barnabee';
/** Barnabee's router, agents and voices speak English. */
const LANGUAGES = ['en'];

export interface InfoOptions {
  assistantName: string;
  version: string;
  tts?: Pick<TtsEngine, 'name' | 'voice'> | null;
}

/** The voices a client may ask for by name; the first is the engine's default. */
export function voicesOf(tts: Pick<TtsEngine, 'name' | 'voice'>): string[] {
  const voices = tts.name === 'flite' ? [...FLITE_VOICES] : [];
  const first = tts.voice || 'default';
  return [first, ...voices.filter((v) => v !== first)];
}

export function infoData(o: InfoOptions): Record<string, unknown> {
  const attribution = { name: o.assistantName, url: URL };
  const artifact = (name: string, description: string) => ({ name, attribution, installed: true, description, version: o.version });
  const handle = {
    ...artifact('barnabee', `${o.assistantName}: streaming answers from a fast router, home control and a language model`),
    models: [{ ...artifact('barnabee', `${o.assistantName} conversation`), languages: LANGUAGES }],
    supports_handled_streaming: true,
    supports_home_control: true,
  };
  const tts = o.tts
    ? [
        {
          ...artifact('barnabee', `${o.assistantName} progressive speech (${o.tts.name})`),
          voices: voicesOf(o.tts).map((v) => ({ ...artifact(v, `${v} (${o.tts!.name})`), languages: LANGUAGES })),
          supports_synthesize_streaming: true,
        },
      ]
    : [];
  return { asr: [], tts, handle: [handle], intent: [], wake: [], mic: [], snd: [] };
}
