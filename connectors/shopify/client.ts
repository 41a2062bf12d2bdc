import { createAdminApiClient, type AdminApiClient } from '@shopify/admin-api-client';
import { budgetFor, type CostBudget, type ThrottleStatus } from './budget';
import type { Document, UserError } from './documents/define';
import { ShopifyGraphqlError, ShopifyTransientError, ShopifyUserError } from './errors';

export const API_VERSION = '2026-10';

export interface ShopifyConfig {
  shop: string;
  accessToken: string;
  apiVersion?: typeof API_VERSION;
  /** Overrides the Admin API URL (the local sandbox); unset for a real shop. */
  adminUrl?: string;
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

export interface ShopifyClientStats {
  requests: number;
  throttled: number;
  retries: number;
  pointsSpent: number;
}

interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (ms: number) => ms / 2 + Math.random() * ms;

/**
 * The Admin API client every Shopify activity uses: @shopify/admin-api-client underneath, a process-wide
 * cost budget per shop in front (waits before sending), and retries with backoff and jitter for
 * THROTTLED, 429, 5xx and network failures. userErrors become ShopifyUserError (not retryable).
 */
export class ShopifyClient {
  readonly stats: ShopifyClientStats = { requests: 0, throttled: 0, retries: 0, pointsSpent: 0 };
  private readonly api: AdminApiClient;
  private readonly budget: CostBudget;
  /** Last requested cost seen per document: a better estimate than the static one. */
  private readonly observedCost = new Map<string, number>();
  private readonly maxAttempts: number;

  constructor(readonly config: ShopifyConfig) {
    const timeout = config.requestTimeoutMs ?? 30_000;
    this.maxAttempts = config.maxAttempts ?? 8;
    this.budget = budgetFor(config.shop);
    this.api = createAdminApiClient({
      storeDomain: config.shop,
      apiVersion: config.apiVersion ?? API_VERSION,
      accessToken: config.accessToken,
      retries: 0, // retries are ours: the library only retries 429/503 and knows nothing of THROTTLED
      customFetchApi: (url, init) =>
        fetch(config.adminUrl ?? url, { ...init, signal: AbortSignal.timeout(timeout) } as RequestInit),
    });
  }

  get throttleStatus(): ThrottleStatus {
    return this.budget.snapshot();
  }

  /** Runs a query or mutation; resolves with its data or throws a typed error. */
  async request<TData, TVariables>(doc: Document<TData, TVariables>, variables?: TVariables): Promise<TData> {
    let lastProblem = 'no attempt made';
    let retryAfterMs: number | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        this.stats.retries++;
        await sleep(retryAfterMs ?? jitter(Math.min(10_000, 250 * 2 ** (attempt - 2))));
        retryAfterMs = undefined;
      }
      const estimate = this.observedCost.get(doc.name) ?? doc.estimatedCost;
      await this.budget.acquire(estimate);
      this.stats.requests++;
      let response: Awaited<ReturnType<AdminApiClient['request']>>;
      try {
        response = await this.api.request(doc.query, { variables: variables as Record<string, unknown> });
      } catch (err) {
        this.budget.settle(estimate, undefined, null);
        lastProblem = `network error: ${(err as Error).message}`;
        continue;
      }
      const cost = (response.extensions as { cost?: CostExtension } | undefined)?.cost;
      if (cost) {
        this.observedCost.set(doc.name, cost.requestedQueryCost);
        this.stats.pointsSpent += cost.actualQueryCost ?? 0;
      }
      this.budget.settle(estimate, cost?.throttleStatus, cost ? cost.actualQueryCost : null);
      const errors = response.errors;
      if (!errors) return response.data as TData;
      const gqlErrors = (errors.graphQLErrors ?? []) as { message: string; extensions?: { code?: string } }[];
      if (gqlErrors.some((e) => e.extensions?.code === 'THROTTLED')) {
        this.stats.throttled++;
        const status = cost?.throttleStatus;
        retryAfterMs = status
          ? jitter(Math.max(50, ((cost.requestedQueryCost - status.currentlyAvailable) / status.restoreRate) * 1000)) *
            1.2
          : undefined;
        lastProblem = 'THROTTLED';
        continue;
      }
      const status = errors.networkStatusCode;
      if (status === 429 || (status !== undefined && status >= 500) || (status === undefined && !gqlErrors.length)) {
        const retryAfter = Number(errors.response?.headers.get('retry-after'));
        if (retryAfter > 0) retryAfterMs = retryAfter * 1000;
        lastProblem = `HTTP ${status ?? 'error'}: ${redact(errors.message ?? '')}`;
        continue;
      }
      throw new ShopifyGraphqlError(
        doc.name,
        gqlErrors.length ? gqlErrors : [{ message: redact(errors.message ?? `HTTP ${status}`) }],
        status,
      );
    }
    throw new ShopifyTransientError(
      doc.name,
      `gave up after ${this.maxAttempts} attempts (${lastProblem})`,
      retryAfterMs,
    );
  }

  /** Runs a mutation and throws ShopifyUserError when the payload at `payloadKey` carries userErrors. */
  async mutate<TData, TVariables, K extends keyof TData>(
    doc: Document<TData, TVariables>,
    variables: TVariables,
    payloadKey: K,
  ): Promise<TData[K]> {
    const data = await this.request(doc, variables);
    const payload = data[payloadKey] as { userErrors?: UserError[] } | null;
    if (payload?.userErrors?.length) throw new ShopifyUserError(doc.name, payload.userErrors);
    return data[payloadKey];
  }
}

// Error texts from the transport can echo request headers; never let a token through.
function redact(message: string): string {
  return message.replace(/shp[a-z]{2}_[A-Za-z0-9]+/g, 'shp***');
}
