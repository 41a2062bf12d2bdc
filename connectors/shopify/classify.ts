import type { ThrottleStatus } from './budget';

export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

export interface GraphqlErrorDetail {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
  path?: readonly (string | number)[];
}

/** What @shopify/admin-api-client's `request()` resolves with (it never throws for HTTP or network failures). */
export interface RawReply {
  data?: unknown;
  extensions?: { cost?: CostExtension; [key: string]: unknown };
  errors?: {
    networkStatusCode?: number;
    message?: string;
    graphQLErrors?: unknown[];
    response?: { headers: { get(name: string): string | null } };
  };
}

export type Outcome =
  | { kind: 'ok'; data: unknown }
  | { kind: 'throttled'; waitMs: number }
  | { kind: 'transient'; reason: string; waitMs?: number }
  | { kind: 'fatal'; errors: GraphqlErrorDetail[]; status?: number };

// Codes Shopify puts inside a 200 for failures on its side; the same request can succeed later.
const TRANSIENT_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'TIMEOUT']);

/**
 * Decides what a reply means for the retry loop: data, THROTTLED (inside an HTTP 200, wait for the bucket),
 * transient (429, 5xx, network failure, timeout, unreadable body: retry) or fatal (the request itself is wrong).
 * `waitMs` is the server's hint: Retry-After, or the time the bucket needs to cover the requested cost.
 */
export function classifyReply(reply: RawReply): Outcome {
  const errors = reply.errors;
  if (!errors) return { kind: 'ok', data: reply.data };
  const gql = (errors.graphQLErrors ?? []) as GraphqlErrorDetail[];
  const status = errors.networkStatusCode;
  if (gql.some((e) => e.extensions?.code === 'THROTTLED')) {
    const cost = reply.extensions?.cost;
    const t = cost?.throttleStatus;
    const deficit = cost && t ? cost.requestedQueryCost - t.currentlyAvailable : 0;
    return { kind: 'throttled', waitMs: t && t.restoreRate > 0 ? Math.max(0, (deficit / t.restoreRate) * 1000) : 1000 };
  }
  if (status === 429 || (status !== undefined && status >= 500)) {
    const header = errors.response?.headers.get('retry-after');
    const seconds = header ? Number(header) : NaN;
    return {
      kind: 'transient',
      reason: `HTTP ${status}`,
      waitMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined,
    };
  }
  // No status: the request never got a reply (connection refused/reset, timeout). A 200 without GraphQL errors
  // and without data is a body we could not read (truncated, a proxy's HTML page): also worth another try.
  if (status === undefined || (status === 200 && !gql.length))
    return { kind: 'transient', reason: status === undefined ? 'network error' : 'unreadable reply' };
  if (gql.length && gql.every((e) => TRANSIENT_CODES.has(e.extensions?.code ?? '')))
    return { kind: 'transient', reason: gql[0]!.extensions!.code! };
  return { kind: 'fatal', errors: gql.length ? gql : [{ message: errors.message ?? `HTTP ${status}` }], status };
}

/** Exponential backoff with full jitter over [base/2, base*1.5), capped. */
export function backoffMs(attempt: number, baseMs = 250, capMs = 10_000, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return exp / 2 + random() * exp;
}
