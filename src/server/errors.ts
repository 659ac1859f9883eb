/** The one error shape every HTTP endpoint answers with: `{ error: { code, message } }`. */

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });

/**
 * Fastify's own errors mapped to stable, client-facing codes. Anything unknown becomes a bare
 * `internal` error: its message might carry internals (paths, upstream URLs), so it is not echoed.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'body_too_large', 'The request body is larger than the server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'invalid_json', 'The JSON body is empty.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'invalid_request', 'The Content-Length header does not match the body.');
    case 'FST_ERR_BAD_URL':
      return new HttpError(400, 'invalid_request', 'The URL is malformed.');
  }
  if (e?.statusCode === 429) return new HttpError(429, 'rate_limited', e.message ?? 'Too many requests.');
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpError(e.statusCode, 'invalid_request', 'The request could not be processed.');
  }
  return new HttpError(500, 'internal', 'Something went wrong on the server.');
}
