/** The Wyoming server: Home Assistant's conversation agent and streaming TTS over the Wyoming protocol. */
export { startWyomingServer, type WyomingServer, type WyomingServerOptions } from './server.js';
export { conversationFor } from './handle.js';
