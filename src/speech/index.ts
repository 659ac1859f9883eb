/** Speech: text → speakable segments → audio, in order, while the model is still writing. */
export type { Chunker, PcmChunk, SynthesizeOptions, TtsEngine } from './types.js';
export { createChunker, chunkText, DEFAULT_CHUNKER_OPTIONS, type ChunkerOptions } from './chunker.js';
export { normalizeForSpeech } from './normalize.js';
export { mayEndSentence } from './segment-rules.js';
export { createSpeechStage, type SpeechStageOptions } from './speaker.js';
export { wavHeader, encodeWav, parseWav, createWavReader, WavFormatError, UNKNOWN_LENGTH } from './wav.js';
export { createWavFile, type WavFile } from './wav-file.js';
export type { WavFormat, WavHeaderOptions, ParsedWav, WavReader } from './wav.js';
export { hasPlayer, openPlayer, type Player } from './playback.js';
export { createTtsEngine } from './tts/create.js';
export { createFliteEngine, FLITE_VOICES, type FliteEngine, type FliteOptions, type FliteVoice } from './tts/flite.js';
export { createOpenAiSpeechEngine, TtsHttpError, type OpenAiSpeechOptions } from './tts/openai.js';
export { createWyomingEngine, type WyomingEngine, type WyomingOptions } from './tts/wyoming.js';
