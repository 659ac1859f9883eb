/** The server part's face: build or start the HTTP app, and the auth rule other routes share. */
export { createServer, type ServerOptions } from './app.js';
export { startServer, type RunningServer, type StartOptions } from './start.js';
export { Auth, isAuthorized, requireAuth, safeEqual, SESSION_COOKIE, WS_SUBPROTOCOL } from './auth.js';
export { errorBody, HttpError } from './errors.js';
export type { MetricsSnapshot } from './metrics.js';
export type { EventBus, ServerRuntime } from './types.js';
export { startWyomingServer, type WyomingServer, type WyomingServerOptions } from './wyoming/index.js';
