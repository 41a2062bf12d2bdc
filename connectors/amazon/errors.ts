import type { Operation } from './operations';

/** One entry of SP-API's `errors` list (every model's `Error` definition). */
export interface AmazonErrorEntry {
  code: string;
  message: string;
  details?: string;
}

/**
 * Thrown when an SP-API call ends in an error reply or no reply after the connector's own retries. `retryable`
 * says whether a later attempt can succeed (429, 5xx, no reply), `retryAfterMs` how long to wait. Carries
 * Amazon's own code and message, never the request (its headers hold the access token).
 */
export class AmazonApiError extends Error {
  override name = 'AmazonApiError';
  constructor(
    readonly operation: Operation | 'lwa' | 'document',
    readonly status: number | undefined,
    readonly errors: readonly AmazonErrorEntry[],
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(
      `${operation}: ${status === undefined ? 'no reply' : `HTTP ${status}`}${errors.length ? ` ${errors.map((e) => `${e.code}: ${e.message}`).join('; ')}` : ''}`,
    );
  }
  get code(): string | undefined {
    return this.errors[0]?.code;
  }
}

/** The `errors` list of an SP-API error body, or one entry describing a body that has none. */
export function errorsOf(body: unknown, status: number | undefined): AmazonErrorEntry[] {
  const list = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(list))
    return list
      .filter((e): e is AmazonErrorEntry => typeof e?.code === 'string')
      .map((e) => ({ code: e.code, message: String(e.message ?? ''), details: e.details }));
  return status === undefined
    ? []
    : [{ code: `HTTP_${status}`, message: typeof body === 'string' ? body.slice(0, 300) : '' }];
}
