/** The engine the settings ask for. */
import type { Config } from '../../config.js';
import type { TtsEngine } from '../types.js';
import { createFliteEngine, FLITE_VOICES, type FliteVoice } from './flite.js';
import { createOpenAiSpeechEngine } from './openai.js';
import { createWyomingEngine } from './wyoming.js';

type TtsConfig = Pick<
  Config,
  'TTS_ENGINE' | 'TTS_VOICE' | 'TTS_BASE_URL' | 'TTS_API_KEY' | 'TTS_MODEL' | 'WYOMING_HOST' | 'WYOMING_PORT' | 'TTS_PARALLELISM'
>;

export function createTtsEngine(config: TtsConfig): TtsEngine {
  switch (config.TTS_ENGINE) {
    case 'flite': {
      const voice = config.TTS_VOICE ?? 'kal16';
      if (!FLITE_VOICES.includes(voice as FliteVoice)) {
        throw new Error(`TTS_VOICE="${voice}" is not a flite voice (available: ${FLITE_VOICES.join(', ')})`);
      }
      return createFliteEngine({ voice: voice as FliteVoice, workers: config.TTS_PARALLELISM, prewarm: true });
    }
    case 'openai':
      if (!config.TTS_BASE_URL) throw new Error('TTS_BASE_URL is required when TTS_ENGINE=openai');
      return createOpenAiSpeechEngine({
        baseUrl: config.TTS_BASE_URL,
        apiKey: config.TTS_API_KEY,
        model: config.TTS_MODEL,
        // Kokoro names its voices by accent and speaker; OpenAI's default is "alloy".
        voice: config.TTS_VOICE ?? (/kokoro/i.test(config.TTS_MODEL) ? 'af_heart' : 'alloy'),
        format: 'pcm',
      });
    case 'wyoming':
      return createWyomingEngine({ host: config.WYOMING_HOST, port: config.WYOMING_PORT, voice: config.TTS_VOICE });
  }
}
