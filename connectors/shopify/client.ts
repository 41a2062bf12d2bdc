import { createAdminApiClient, type AdminApiClient } from '@shopify/admin-api-client';
import { limitsFor, realClock, type Clock, type CostBudget, type Gate, type ThrottleStatus } from './budget';
import { backoffMs, classifyReply, type RawReply } from './classify';
import { ShopifyGrantRefused, staticToken, type AccessTokenSource } from './access-token';
import type { Document, UserError } from './documents/define';
import { ShopifyGraphqlError, ShopifyTransientError, ShopifyUserError } from './errors';

export const API_VERSION = '2026-10';

export interface ShopifyConfig {
  /** `my-shop.myshopify.com` (or just `my-shop`). */
  shop: string;
  /** A static Admin API token; or `tokens` (client credentials, connectors/shopify/access-token.ts). */
  accessToken?: string;
  tokens?: AccessTokenSource;
  apiVersion?: typeof API_VERSION;
  /** Overrides the Admin GraphQL URL (the local sandbox, plain http); unset for a real shop. */
  adminUrl?: string;
  /** The app secret webhooks are signed with; only the webhook receiver needs it. */
  webhookSecret?: string;
  /** Requests in flight to this shop from this process (all clients of the shop share the limit). Default 64. */
  maxConcurrency?: number;
  /** Per-request timeout, default 30 s. */
  requestTimeoutMs?: number;
  /** Attempts per request before ShopifyTransientError, default 8. */
  maxAttempts?: number;
}

/** Test seams: the transport under the library, and the clock the budget and backoff wait on. */
export interface ShopifyClientDeps {
  fetchApi?: typeof fetch;
  clock?: Clock;
  random?: () => number;
}

export interface ShopifyClientStats {
  requests: number;
  throttled: number;
  retries: number;
  pointsSpent: number;
}

// userErrors codes that mean "not now" rather than "never": the same call can succeed once the other finishes.
const RETRYABLE_USER_ERRORS = new Set(['IDEMPOTENCY_CONCURRENT_REQUEST']);

/**
 * The Admin API client every Shopify activity uses: @shopify/admin-api-client underneath, a process-wide
 * cost budget per shop in front (waits before sending), and retries with backoff and jitter for
 * THROTTLED, 429, 5xx and network failures. userErrors become ShopifyUserError (not retryable).
 */
export class ShopifyClient {
  readonly stats: ShopifyClientStats = { requests: 0, throttled: 0, retries: 0, pointsSpent: 0 };
  private readonly api: AdminApiClient;
  private readonly budget: CostBudget;
  private readonly gate: Gate;
  /** Last requested cost seen per document: a better estimate than the static one. */
  private readonly observedCost = new Map<string, number>();
  private readonly maxAttempts: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly tokens: AccessTokenSource;

  constructor(
    readonly config: ShopifyConfig,
    deps: ShopifyClientDeps = {},
  ) {
    const timeout = config.requestTimeoutMs ?? 30_000;
    const fetchApi = deps.fetchApi ?? fetch;
    this.maxAttempts = config.maxAttempts ?? 8;
    this.clock = deps.clock ?? realClock;
    this.random = deps.random ?? Math.random;
    if (!config.tokens && !config.accessToken) throw new Error('ShopifyClient needs an accessToken or a token source');
    this.tokens = config.tokens ?? staticToken(config.accessToken!);
    // The token goes into each request's header here, so a refreshed one is used at once.
    const send = async (url: string, init: RequestInit | undefined, token: string) =>
      fetchApi(config.adminUrl ?? url, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), 'X-Shopify-Access-Token': token },
        signal: AbortSignal.timeout(timeout),
      } as RequestInit);
    ({ budget: this.budget, gate: this.gate } = limitsFor(
      config.shop,
      config.adminUrl,
      config.maxConcurrency,
      this.clock,
    ));
    this.api = createAdminApiClient({
      storeDomain: config.shop,
      apiVersion: config.apiVersion ?? API_VERSION,
      accessToken: 'set-per-request', // replaced in customFetchApi
      retries: 0, // retries are ours: the library only retries 429/503 and knows nothing of THROTTLED
      // The library only builds https://{shop}/admin/api/{version}/graphql.json; the sandbox lives elsewhere.
      // A 401 with client credentials: the token expired or was revoked early; fetch a fresh one and retry once.
      // A refused grant reads as Shopify's 401 (fatal); a grant that failed on the network or with a 5xx is retried.
      customFetchApi: async (url, init) => {
        try {
          const token = await this.tokens.token();
          const res = await send(url, init as RequestInit, token);
          if (res.status !== 401 || !this.tokens.renewable) return res;
          await this.tokens.invalidate(token);
          return await send(url, init as RequestInit, await this.tokens.token());
        } catch (err) {
          if (!(err instanceof ShopifyGrantRefused)) throw err;
          return new Response(JSON.stringify({ errors: err.message }), {
            status: 401,
            headers: { 'content-type': 'application/json' },
          });
        }
      },
      // Versions newer than the library's built-in list are fine for us; keep its warning out of the logs.
      logger: () => undefined,
    });
  }

  get throttleStatus(): ThrottleStatus {
    return this.budget.snapshot();
  }

  /** Runs a query or mutation; resolves with its data or throws a typed error. */
  async request<TData, TVariables>(doc: Document<TData, TVariables>, variables?: TVariables): Promise<TData> {
    let lastProblem = 'no attempt made';
    let waitMs: number | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) {
        this.stats.retries++;
        await this.clock.sleep(waitMs ?? backoffMs(attempt - 1, 250, 10_000, this.random));
      }
      const estimate = this.observedCost.get(doc.name) ?? doc.estimatedCost;
      const reply = await this.gate.run(async () => {
        await this.budget.acquire(estimate);
        this.stats.requests++;
        try {
          return (await this.api.request(doc.query, { variables: variables as Record<string, unknown> })) as RawReply;
        } catch (err) {
          return { errors: { message: (err as Error).message } }; // the library resolves on failures; be safe anyway
        }
      });
      const cost = reply.extensions?.cost;
      if (cost) {
        this.observedCost.set(doc.name, cost.requestedQueryCost);
        this.stats.pointsSpent += cost.actualQueryCost ?? 0;
      }
      this.budget.settle(estimate, cost?.throttleStatus, cost ? cost.actualQueryCost : null);
      const outcome = classifyReply(reply);
      switch (outcome.kind) {
        case 'ok':
          return outcome.data as TData;
        case 'throttled':
          // The budget has adopted Shopify's view and will hold the retry back; a little jitter de-synchronises callers.
          this.stats.throttled++;
          lastProblem = 'THROTTLED';
          waitMs = outcome.waitMs * 0.1 + this.random() * 50;
          continue;
        case 'transient':
          lastProblem = this.redact(`${outcome.reason}: ${reply.errors?.message ?? ''}`);
          waitMs = outcome.waitMs;
          continue;
        case 'fatal':
          throw new ShopifyGraphqlError(
            doc.name,
            outcome.errors.map((e) => ({ ...e, message: this.redact(e.message) })),
            outcome.status,
          );
      }
    }
    throw new ShopifyTransientError(doc.name, `gave up after ${this.maxAttempts} attempts (${lastProblem})`, waitMs);
  }

  /** Runs a mutation and throws ShopifyUserError when the payload at `payloadKey` carries userErrors. */
  async mutate<TData, TVariables, K extends keyof TData>(
    doc: Document<TData, TVariables>,
    variables: TVariables,
    payloadKey: K,
  ): Promise<TData[K]> {
    for (let attempt = 1; ; attempt++) {
      const data = await this.request(doc, variables);
      const payload = data[payloadKey] as { userErrors?: UserError[] } | null;
      const userErrors = payload?.userErrors ?? [];
      if (!userErrors.length) return data[payloadKey];
      if (!userErrors.every((e) => RETRYABLE_USER_ERRORS.has(e.code ?? '')))
        throw new ShopifyUserError(doc.name, userErrors);
      if (attempt >= this.maxAttempts)
        throw new ShopifyTransientError(doc.name, `still ${userErrors[0]!.code} after ${attempt} attempts`);
      this.stats.retries++;
      await this.clock.sleep(backoffMs(attempt, 250, 10_000, this.random));
    }
  }

  /** Error texts from the transport can echo request headers: never let the token or secret through. */
  redact(message: string): string {
    let out = message.replace(/shp[a-z]{2}_[A-Za-z0-9]+/g, 'shp***');
    for (const secret of [this.config.accessToken, this.config.webhookSecret])
      if (secret && secret.length >= 4) out = out.split(secret).join('***');
    return out;
  }
}
