import { describe, expect, it } from 'vitest';
import {
  classifyReply,
  document,
  inventorySetQuantities,
  productSet,
  ShopifyClient,
  ShopifyGraphqlError,
  ShopifyTransientError,
  ShopifyUserError,
  type UserError,
} from '../../../connectors/shopify';

// A scripted Shopify at the fetch layer (under @shopify/admin-api-client), with a clock that only moves when slept on.
type Scripted = { status?: number; body?: unknown; headers?: Record<string, string> } | Error;
function harness(script: Scripted[], config: Partial<ConstructorParameters<typeof ShopifyClient>[0]> = {}) {
  const calls: { url: string; headers: Record<string, string>; body: { query: string; variables: unknown } }[] = [];
  const slept: number[] = [];
  let t = 0;
  const clock = {
    now: () => t,
    sleep: async (ms: number) => {
      slept.push(ms);
      t += ms;
    },
  };
  const fetchApi = (async (url: string, init: RequestInit) => {
    calls.push({
      url: String(url),
      headers: init.headers as Record<string, string>,
      body: JSON.parse(String(init.body)),
    });
    const next = script.shift() ?? { body: { data: { ok: true } } };
    if (next instanceof Error) throw next;
    return new Response(JSON.stringify(next.body ?? {}), {
      status: next.status ?? 200,
      headers: { 'content-type': 'application/json', ...next.headers },
    });
  }) as typeof fetch;
  const client = new ShopifyClient(
    { shop: `unit-${Math.random().toString(36).slice(2)}.myshopify.com`, accessToken: 'shpat_secret123', ...config },
    { fetchApi, clock, random: () => 0.5 },
  );
  return { client, calls, slept };
}

const cost = (requested: number, actual: number | null, available = 1900) => ({
  cost: {
    requestedQueryCost: requested,
    actualQueryCost: actual,
    throttleStatus: { maximumAvailable: 2000, currentlyAvailable: available, restoreRate: 100 },
  },
});
const THROTTLED = {
  body: { errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }], extensions: cost(500, null, 100) },
};
const OK = { body: { data: { shop: { name: 'x' } }, extensions: cost(1, 1) } };
const SHOP = document<{ shop: { name: string } }>('shop', 'query shop { shop { name } }', 1);

describe('retry classification', () => {
  it('THROTTLED inside a 200 is throttled, with the time the bucket needs', () => {
    expect(
      classifyReply({
        errors: { networkStatusCode: 200, graphQLErrors: THROTTLED.body.errors },
        extensions: cost(500, null, 100),
      }),
    ).toEqual({
      kind: 'throttled',
      waitMs: 4000,
    });
  });
  it('429 and 5xx are transient, with Retry-After when given; no status is a network failure', () => {
    const headers = new Headers({ 'retry-after': '2' });
    expect(classifyReply({ errors: { networkStatusCode: 429, response: { headers } } })).toMatchObject({
      kind: 'transient',
      waitMs: 2000,
    });
    expect(classifyReply({ errors: { networkStatusCode: 503 } })).toMatchObject({
      kind: 'transient',
      waitMs: undefined,
    });
    expect(classifyReply({ errors: { message: 'fetch failed' } })).toMatchObject({
      kind: 'transient',
      reason: 'network error',
    });
    expect(
      classifyReply({
        errors: {
          networkStatusCode: 200,
          graphQLErrors: [{ message: 'x', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
        },
      }),
    ).toMatchObject({ kind: 'transient' });
  });
  it('validation errors, 401/403/404 and MAX_COST_EXCEEDED are fatal', () => {
    expect(
      classifyReply({ errors: { networkStatusCode: 200, graphQLErrors: [{ message: "Field 'x' doesn't exist" }] } })
        .kind,
    ).toBe('fatal');
    expect(classifyReply({ errors: { networkStatusCode: 401, message: 'Unauthorized' } }).kind).toBe('fatal');
    expect(
      classifyReply({
        errors: {
          networkStatusCode: 200,
          graphQLErrors: [{ message: 'too costly', extensions: { code: 'MAX_COST_EXCEEDED' } }],
        },
      }).kind,
    ).toBe('fatal');
  });
});

describe('client retry loop', () => {
  it('retries THROTTLED, 429 (honouring Retry-After), 5xx and network errors, then returns the data', async () => {
    const { client, calls, slept } = harness([
      THROTTLED,
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 502 },
      new TypeError('fetch failed'),
      OK,
    ]);
    await expect(client.request(SHOP)).resolves.toEqual({ shop: { name: 'x' } });
    expect(calls).toHaveLength(5);
    expect(client.stats).toMatchObject({ requests: 5, throttled: 1, retries: 4 });
    expect(slept).toContain(3000); // Retry-After
  });

  it('gives up after maxAttempts with a retryable ShopifyTransientError that never shows the token', async () => {
    const { client, calls } = harness(
      Array.from({ length: 3 }, () => new TypeError('connect failed for shpat_secret123')),
      { maxAttempts: 3 },
    );
    const err = await client.request(SHOP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyTransientError);
    expect((err as ShopifyTransientError).retryable).toBe(true);
    expect((err as Error).message).not.toContain('secret123');
    expect(calls).toHaveLength(3);
  });

  it('does not retry a document Shopify rejects: ShopifyGraphqlError', async () => {
    const { client, calls } = harness([
      { body: { errors: [{ message: "Field 'nope' doesn't exist on type 'Shop'" }] } },
    ]);
    const err = await client.request(SHOP).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyGraphqlError);
    expect((err as ShopifyGraphqlError).retryable).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it('backs off exponentially with jitter between transient failures', async () => {
    const { client, slept } = harness([{ status: 500 }, { status: 500 }, { status: 500 }, OK]);
    await client.request(SHOP);
    expect(slept).toEqual([250, 500, 1000]); // random() = 0.5 puts each at the middle of [base/2, base*1.5)
  });

  it('sends to the configured adminUrl (sandbox) or the shop URL, with the token header and API version 2026-10', async () => {
    const real = harness([OK], { shop: 'acme.myshopify.com' });
    await real.client.request(SHOP);
    expect(real.calls[0]!.url).toBe('https://acme.myshopify.com/admin/api/2026-10/graphql.json');
    expect(real.calls[0]!.headers['X-Shopify-Access-Token']).toBe('shpat_secret123');
    const local = harness([OK], { adminUrl: 'http://127.0.0.1:9/admin/api/2026-10/graphql.json' });
    await local.client.request(SHOP);
    expect(local.calls[0]!.url).toBe('http://127.0.0.1:9/admin/api/2026-10/graphql.json');
  });
});

describe('userErrors', () => {
  const productSetReply = (userErrors: UserError[]) => ({
    body: { data: { productSet: { product: null, userErrors } }, extensions: cost(10, 10) },
  });

  it('become a typed, non-retryable ShopifyUserError with field paths and codes', async () => {
    const { client, calls } = harness([
      productSetReply([
        { field: ['input', 'handle'], message: 'Handle has already been taken', code: 'HANDLE_NOT_UNIQUE' },
      ]),
    ]);
    const err = await productSet(client, { title: 'T', handle: 'dup' }, { handle: 'dup' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyUserError);
    const ue = err as ShopifyUserError;
    expect(ue.retryable).toBe(false);
    expect(ue.userErrors).toEqual([
      { field: ['input', 'handle'], message: 'Handle has already been taken', code: 'HANDLE_NOT_UNIQUE' },
    ]);
    expect(ue.codes).toEqual(['HANDLE_NOT_UNIQUE']);
    expect(ue.message).toContain('HANDLE_NOT_UNIQUE at input.handle');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body.query).toContain('synchronous: true');
  });

  it('a null code is left out, not typed as null', () => {
    const ue = new ShopifyUserError('x', [{ field: null, message: 'bad', code: null }]);
    expect(ue.userErrors[0]).toEqual({ field: null, message: 'bad' });
    expect(ue.codes).toEqual(['ERROR']);
  });

  it('IDEMPOTENCY_CONCURRENT_REQUEST is retried with the same key; the @idempotent key is sent', async () => {
    const ok = {
      body: {
        data: { inventorySetQuantities: { inventoryAdjustmentGroup: { changes: [] }, userErrors: [] } },
        extensions: cost(10, 10),
      },
    };
    const busy = {
      body: {
        data: {
          inventorySetQuantities: {
            inventoryAdjustmentGroup: null,
            userErrors: [{ field: null, message: 'busy', code: 'IDEMPOTENCY_CONCURRENT_REQUEST' }],
          },
        },
        extensions: cost(10, 10),
      },
    };
    const { client, calls } = harness([busy, ok]);
    const q = {
      inventoryItemId: 'gid://shopify/InventoryItem/1',
      locationId: 'gid://shopify/Location/1',
      quantity: 5,
      changeFromQuantity: 2,
    };
    await inventorySetQuantities(client, { name: 'available', reason: 'correction', quantities: [q] }, 'key-1');
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.body.variables)).toEqual([
      { input: { name: 'available', reason: 'correction', quantities: [q] }, idempotencyKey: 'key-1' },
      { input: { name: 'available', reason: 'correction', quantities: [q] }, idempotencyKey: 'key-1' },
    ]);
    expect(calls[0]!.body.query).toMatch(/@idempotent\(key: \$idempotencyKey\)/);
  });
});
