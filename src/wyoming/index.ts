/** The Wyoming protocol's framing, shared by the Wyoming TTS client (speech) and the Wyoming server. */
export {
  createEventDecoder,
  encodeEvent,
  WYOMING_VERSION,
  WyomingProtocolError,
  type DecoderLimits,
  type WyomingErrorCode,
  type WyomingEvent,
} from './codec.js';
