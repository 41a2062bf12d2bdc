import axios, { AxiosError, type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import { AmazonApiError, errorsOf } from './errors';
import type { LwaTokens } from './lwa-tokens';
import { operationOf, type Operation } from './operations';
import { abortableSleep, type OperationRateLimiter } from './rate-limiter';

export interface TransportOptions {
  tokens: LwaTokens;
  limiter: OperationRateLimiter;
  /** Attempts per call for 429, 5xx and lost replies before the error goes to the caller (Temporal retries on). */
  maxAttempts?: number;
  /** First backoff (doubles per attempt, with jitter; a 429 waits at least a token of the granted rate). */
  backoffMs?: number;
  timeoutMs?: number;
  /**
   * The running call's cancellation (an activity's), read per request: a rate-limit wait, a backoff or the request
   * itself ends when it aborts, so a cancelled activity or a worker shutting down is not held for a 45 s token.
   */
  abortSignal?: () => AbortSignal | undefined;
  /** Sees every call's outcome (metrics, tests); never the token. */
  onCall?: (e: { operation: Operation; status?: number; attempt: number; waitedMs: number }) => void;
}

interface CallState {
  operation: Operation;
  attempt: number;
  token?: string;
  refreshedAfter403?: boolean;
  waitedMs?: number;
}
type Config = InternalAxiosRequestConfig & { amazon?: CallState };

/**
 * The axios instance every generated SP-API client is built on: each request waits for its operation's rate
 * limit and carries a fresh LWA token (`x-amz-access-token`); each reply's `x-amzn-RateLimit-Limit` updates the
 * limiter; 429, 5xx and lost replies are retried with backoff; a 403 on a token we thought valid gets one new
 * token. Whatever still fails becomes an `AmazonApiError` carrying Amazon's `errors`, never the request config
 * (its headers hold the token).
 */
export function createTransport(opts: TransportOptions): AxiosInstance {
  const maxAttempts = opts.maxAttempts ?? 4;
  const backoffMs = opts.backoffMs ?? 250;
  const instance = axios.create({ timeout: opts.timeoutMs ?? 30_000 });

  instance.interceptors.request.use(async (config: Config) => {
    const url = new URL(config.url ?? '', config.baseURL ?? 'http://x');
    const operation = config.amazon?.operation ?? operationOf(config.method ?? 'get', url.pathname);
    if (!operation)
      throw new AmazonApiError(
        'document',
        undefined,
        [{ code: 'UnknownOperation', message: `${config.method} ${url.pathname}` }],
        false,
      );
    const state: CallState = config.amazon ?? { operation, attempt: 0 };
    state.attempt++;
    const signal = opts.abortSignal?.();
    if (signal && !config.signal) config.signal = signal;
    const waitedMs = await opts.limiter.acquire(operation, signal);
    state.token = await opts.tokens.token();
    config.headers.set('x-amz-access-token', state.token);
    state.waitedMs = waitedMs;
    config.amazon = state;
    return config;
  });

  instance.interceptors.response.use(
    (res) => {
      const state = (res.config as Config).amazon;
      if (state) {
        opts.limiter.observe(state.operation, headerOf(res.headers['x-amzn-ratelimit-limit']));
        opts.onCall?.({
          operation: state.operation,
          status: res.status,
          attempt: state.attempt,
          waitedMs: state.waitedMs ?? 0,
        });
      }
      return res;
    },
    async (err: unknown) => {
      if (err instanceof AmazonApiError) throw err;
      // Cancelled (in the rate-limit wait or in flight): the caller's reason, not a failure to retry.
      const cancelled = opts.abortSignal?.();
      if (cancelled?.aborted) throw cancelled.reason ?? err;
      const e = err as AxiosError;
      const config = e.config as Config | undefined;
      const state = config?.amazon;
      if (!config || !state)
        throw new AmazonApiError('document', undefined, [{ code: 'NoRequest', message: String(e.message) }], false);
      const status = e.response?.status;
      const body = e.response?.data;
      opts.onCall?.({ operation: state.operation, status, attempt: state.attempt, waitedMs: state.waitedMs ?? 0 });
      const limitHeader = headerOf(e.response?.headers?.['x-amzn-ratelimit-limit']);
      if (status === 403 && state.token && !state.refreshedAfter403) {
        // An expired or revoked token: drop it and try once with a new one (not counted as an attempt).
        opts.tokens.invalidate(state.token);
        state.refreshedAfter403 = true;
        state.attempt--;
        return instance.request(config);
      }
      let waitMs: number | undefined;
      if (status === 429)
        waitMs = Math.max(opts.limiter.throttled(state.operation, limitHeader), backoff(backoffMs, state.attempt));
      else if (status === undefined || status >= 500) waitMs = backoff(backoffMs, state.attempt);
      else opts.limiter.observe(state.operation, limitHeader);
      const errors = errorsOf(body, status);
      if (waitMs === undefined) throw new AmazonApiError(state.operation, status, errors, false);
      if (state.attempt >= maxAttempts) throw new AmazonApiError(state.operation, status, errors, true, waitMs);
      await abortableSleep(waitMs, opts.abortSignal?.());
      return instance.request(config);
    },
  );
  return instance;
}

function backoff(baseMs: number, attempt: number): number {
  const ms = baseMs * 2 ** (attempt - 1);
  return Math.round(ms / 2 + Math.random() * (ms / 2));
}

function headerOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
}
