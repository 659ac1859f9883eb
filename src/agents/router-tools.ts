/**
 * The router's rule for requests that bring their own tools (docs/protocol.md, "Client tools").
 * Such a client owns its tools and its home: Barnabee's instant agent still answers what needs no
 * model (the time, arithmetic), but a home command goes to the model with the client's tools
 * instead of Barnabee's action agent — unless Barnabee itself drives a real home. A request that
 * comes back with tool results after the utterance is the model's to finish, whatever it says.
 */
import type { RouteDecision, TurnRequest } from '../turn/index.js';

export function routeWithClientTools(decision: RouteDecision, request: TurnRequest | undefined, realHome: boolean): RouteDecision {
  if (!request) return decision;
  if (request.continuation?.length) return { agent: 'interaction', intent: 'tool.result', confidence: 1 };
  if (decision.agent === 'action' && request.tools?.length && !realHome) return { ...decision, agent: 'interaction' };
  return decision;
}
