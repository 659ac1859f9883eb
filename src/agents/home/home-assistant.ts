/**
 * Home Assistant over its REST API: `GET /api/states` and `POST /api/services/<domain>/<service>`
 * with a long-lived access token. The token lives only in this closure: never in an error, never
 * on the returned object (so logging the backend cannot leak it).
 */
import { z } from 'zod';
import { HomeError, type HomeBackend, type HomeEntity } from './types.js';
import { redact } from '../../redact.js';

export interface HomeAssistantOptions {
  /** e.g. `http://homeassistant.local:8123` (a trailing `/api` is accepted). */
  url: string;
  token: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

const entitySchema = z.looseObject({
  entity_id: z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/),
  state: z.string(),
  attributes: z.looseObject({ friendly_name: z.string().optional() }).default({}),
  last_changed: z.string().optional(),
  last_updated: z.string().optional(),
});
const statesSchema = z.array(entitySchema);
// Newer Home Assistant versions answer `{changed_states, service_response}` when asked for a response.
const serviceSchema = z.union([statesSchema, z.object({ changed_states: statesSchema }).transform((r) => r.changed_states)]);

function toEntity(e: z.infer<typeof entitySchema>): HomeEntity {
  const friendly = typeof e.attributes.friendly_name === 'string' ? e.attributes.friendly_name : undefined;
  // Entities without a friendly name are named after their object id, as Home Assistant's UI does.
  const name = friendly ?? e.entity_id.split('.')[1].replace(/_/g, ' ');
  return { ...e, attributes: { ...e.attributes, friendly_name: name } } as HomeEntity;
}

export function createHomeAssistantBackend(options: HomeAssistantOptions): HomeBackend {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new HomeError('bad_request', 'HA_URL is not a valid URL.');
  }
  if (!/^https?:$/.test(base.protocol)) throw new HomeError('bad_request', 'HA_URL must be an http or https URL.');
  if (!options.token) throw new HomeError('unauthorized', 'HA_TOKEN is required for Home Assistant.');
  // Shown in errors: the origin only, which never carries credentials or the token.
  const where = base.origin;
  const root = base.href.replace(/\/+$/, '').replace(/\/api$/, '');
  const token = options.token;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function call(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
    } catch (err) {
      throw transportError(err, signal, timeout);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw transportError(err, signal, timeout);
    }
    if (!res.ok) throw statusError(res.status, method, path, text);
    try {
      return JSON.parse(text);
    } catch {
      throw new HomeError('bad_response', `Home Assistant at ${where} sent a response that is not JSON for ${method} ${path}.`);
    }
  }

  function transportError(err: unknown, signal: AbortSignal | undefined, timeout: AbortSignal): unknown {
    if (signal?.aborted) return signal.reason ?? err; // The caller cancelled: let that surface as-is.
    if (timeout.aborted) return new HomeError('timeout', `Home Assistant at ${where} did not answer within ${timeoutMs} ms.`, true);
    const cause = (err as { cause?: { code?: unknown } })?.cause?.code;
    const why = typeof cause === 'string' ? ` (${cause})` : '';
    return new HomeError('unreachable', `Home Assistant at ${where} is unreachable${why}.`, true);
  }

  function statusError(status: number, method: string, path: string, body: string): HomeError {
    if (status === 401 || status === 403)
      return new HomeError('unauthorized', `Home Assistant at ${where} rejected the access token (HTTP ${status}); check HA_TOKEN.`, false, status);
    if (status === 404) return new HomeError('not_found', `Home Assistant at ${where} has no ${path} (HTTP 404); check HA_URL.`, false, status);
    if (status === 400) {
      // Home Assistant's 400 bodies are short plain messages ("Service not found."); the token is never echoed.
      const text = body.replace(/\s+/g, ' ').trim();
      const reason = redact(text, [token], 160);
      return new HomeError('bad_request', `Home Assistant refused ${method} ${path} (HTTP 400${reason ? `: ${reason}` : ''}).`, false, status);
    }
    return new HomeError('upstream', `Home Assistant at ${where} failed on ${method} ${path} (HTTP ${status}).`, status >= 500 || status === 429, status);
  }

  function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const r = schema.safeParse(value);
    if (!r.success) throw new HomeError('bad_response', `Home Assistant at ${where} sent ${what} in an unexpected shape.`);
    return r.data;
  }

  const segment = /^[a-z0-9_]+$/;
  return {
    name: 'home-assistant',
    async listEntities(signal) {
      return parse(statesSchema, await call('GET', '/api/states', undefined, signal), 'states').map(toEntity);
    },
    async callService(domain, service, data, signal) {
      if (!segment.test(domain) || !segment.test(service))
        throw new HomeError('unknown_service', `"${domain}.${service}" is not a valid service name.`);
      const body = await call('POST', `/api/services/${domain}/${service}`, data, signal);
      return parse(serviceSchema, body, 'the service result').map(toEntity);
    },
  };
}
