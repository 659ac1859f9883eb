/** JSON over HTTP to this server. A 401 asks for the token once, then the call is retried. */
import { ensureSession } from './session.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * `X-Barnabee-Page` tells the server the session cookie comes from this page, where the browser
 * sends no Fetch Metadata (plain http to a LAN address); docs/protocol.md, "Who may call".
 */
export const PAGE_HEADERS = { accept: 'application/json', 'x-barnabee-page': '1' };

export async function getJson<T>(path: string): Promise<T> {
  for (;;) {
    const res = await fetch(path, { credentials: 'same-origin', headers: PAGE_HEADERS });
    if (res.status === 401) {
      await ensureSession();
      continue;
    }
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try {
        const body = (await res.json()) as { error?: { message?: string } | string; message?: string };
        const m = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
        if (m) message = m;
      } catch {
        // Not JSON: the status says enough.
      }
      throw new HttpError(res.status, message);
    }
    return (await res.json()) as T;
  }
}

/** Builds `path?k=v` from the defined, non-empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
