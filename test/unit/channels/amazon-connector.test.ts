import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AmazonApiError,
  AmazonClient,
  JSON_LISTINGS_FEED,
  LwaTokens,
  feedOutcome,
  quantityFeed,
  type ProcessingReport,
} from '../../../connectors/amazon';
import type { CachedToken, SharedTokenStore } from '../../../connectors/shopify/access-token';
import { startModelServer, type ModelServer } from '../../support/channels/model-server';

let server: ModelServer;
beforeAll(async () => (server = await startModelServer()));
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.faults.clear();
  server.grantedRate.clear();
  server.expiresIn = 3600;
});

const client = (extra: Partial<ConstructorParameters<typeof AmazonClient>[0]> = {}) =>
  new AmazonClient({
    endpoint: server.url,
    lwa: {
      clientId: 'amzn1.app',
      clientSecret: 'secret-1',
      refreshToken: 'Atzr|refresh-1',
      tokenUrl: `${server.url}/auth/o2/token`,
    },
    sellerId: 'A1SELLER',
    marketplaceId: 'A1F83G8C2ARO7P',
    backoffMs: 10,
    ...extra,
  });

describe('Amazon connector against a model-following server', () => {
  it('patches fulfillment_availability with the token in x-amz-access-token and reads it back', async () => {
    const c = client();
    const r = await c.patchQuantity('SKU-1', 7, 'GROCERY');
    expect(r.status).toBe('ACCEPTED');
    const patch = server.requests.find((q) => q.method === 'PATCH')!;
    expect(patch.path).toBe('/listings/2021-08-01/items/A1SELLER/SKU-1');
    expect(patch.query.get('marketplaceIds')).toBe('A1F83G8C2ARO7P');
    expect(patch.token).toMatch(/^Atza\|/);
    expect(patch.body).toEqual({
      productType: 'GROCERY',
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 7 }],
        },
      ],
    });
    expect((await c.getListingQuantity('SKU-1'))?.quantity).toBe(7);
    expect(await c.getListingQuantity('NO-SUCH-SKU')).toBeUndefined();
  });

  it('reports INVALID with Amazon issues instead of throwing', async () => {
    const r = await client().patchQuantity('SKU-2', -1, 'GROCERY');
    expect(r.status).toBe('INVALID');
    expect(r.issues[0]?.message).toBe('quantity must be >= 0');
  });

  it('one LWA grant serves concurrent calls; a token Amazon refuses (403) is replaced once', async () => {
    const c = client();
    const before = server.grants;
    await Promise.all(Array.from({ length: 8 }, (_, i) => c.patchQuantity(`SKU-C${i}`, i, 'GROCERY')));
    expect(server.grants - before).toBe(1);
    server.validTokens.clear(); // every token expires at once
    expect((await c.patchQuantity('SKU-C0', 3, 'GROCERY')).status).toBe('ACCEPTED');
    expect(server.grants - before).toBe(2);
  });

  it('refreshes before expiry, and across processes one refresh serves all (shared store)', async () => {
    const cache = new Map<string, CachedToken & { lease?: string }>();
    const store: SharedTokenStore = {
      read: async (k) => cache.get(k),
      lease: async (k, holder) => {
        const cur = cache.get(k);
        if (cur?.lease) return false;
        cache.set(k, { ...(cur ?? { accessToken: '', expiresAt: 0 }), lease: holder });
        return true;
      },
      write: async (k, _h, t) => void cache.set(k, t),
    };
    let now = 1_000_000;
    const opts = {
      clientId: 'amzn1.app',
      clientSecret: 'secret-1',
      refreshToken: 'Atzr|r',
      tokenUrl: `${server.url}/auth/o2/token`,
      store,
      now: () => now,
    };
    const a = new LwaTokens(opts);
    const b = new LwaTokens(opts);
    const [ta, tb] = await Promise.all([a.token(), b.token()]);
    expect(ta).toBe(tb);
    expect(a.grants + b.grants).toBe(1);
    now += 3_600_000 - 299_000; // inside the 5-minute refresh margin
    const t2 = await b.token();
    expect(t2).not.toBe(ta);
    expect(await a.token()).toBe(t2);
    expect(a.grants + b.grants).toBe(2);
  });

  it('a refused grant names LWA error, never the secret or refresh token', async () => {
    const bad = new LwaTokens({
      clientId: 'c',
      clientSecret: 'wrong-secret',
      refreshToken: 'Atzr|very-secret',
      tokenUrl: `${server.url}/auth/o2/token`,
    });
    const err = (await bad.token().catch((e: unknown) => e)) as AmazonApiError;
    expect(err).toBeInstanceOf(AmazonApiError);
    expect(err.message).toContain('invalid_grant');
    expect(err.retryable).toBe(false);
    expect(JSON.stringify(err) + err.message + String(err.stack)).not.toMatch(/wrong-secret|very-secret/);
  });

  it('retries 429 and 5xx with backoff, and adopts the rate x-amzn-RateLimit-Limit grants', async () => {
    const c = client();
    server.faults.set('patchListingsItem', [{ status: 429, limit: '2.0' }, { status: 503 }]);
    expect((await c.patchQuantity('SKU-R', 1, 'GROCERY')).status).toBe('ACCEPTED');
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(3);
    expect(c.limiter.plan('patchListingsItem').rate).toBe(2);
  });

  it('errors after its attempts with Amazon code, retryable, and no token in the error', async () => {
    const c = client({ maxAttempts: 2 });
    server.faults.set('patchListingsItem', [{ status: 500 }, { status: 500 }]);
    const err = (await c.patchQuantity('SKU-E', 1, 'GROCERY').catch((e: unknown) => e)) as AmazonApiError;
    expect(err).toBeInstanceOf(AmazonApiError);
    expect(err.status).toBe(500);
    expect(err.code).toBe('InternalFailure');
    expect(err.retryable).toBe(true);
    const token = server.requests.at(-1)!.token!;
    expect(JSON.stringify(err) + err.message + String(err.stack)).not.toContain(token);
  });

  it('a 400 is not retried and is not retryable', async () => {
    const c = client();
    const err = (await c.patchQuantity('SKU-X', 1, '').catch((e: unknown) => e)) as AmazonApiError;
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('converges on the granted rate: at 4 req/s granted, 9 calls after the burst take about 2 s', async () => {
    server.grantedRate.set('getListingsItem', '4');
    server.listings.set('SKU-L', { quantity: 1, productType: 'GROCERY' });
    const c = client({ rateOverrides: { getListingsItem: { rate: 50, burst: 1 } } });
    await c.getListingQuantity('SKU-L'); // learns 4 req/s from the reply
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 9 }, () => c.getListingQuantity('SKU-L')));
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(4_000);
  });

  // A cancelled activity (a worker shutting down, the throttled-report test's 45 s getFeedDocument token) was held
  // for the whole wait before: the sleep did not look at the activity's cancellation.
  it('a call waiting for its rate-limit token ends when its cancellation signal aborts, and gives the token back', async () => {
    server.listings.set('SKU-C', { quantity: 1, productType: 'GROCERY' });
    const abort = new AbortController();
    const c = client({
      rateOverrides: { getListingsItem: { rate: 0.1, burst: 1 } },
      abortSignal: () => abort.signal,
    });
    await c.getListingQuantity('SKU-C'); // the burst's one token
    const waitBefore = c.limiter.waitMs('getListingsItem');
    expect(waitBefore).toBeGreaterThan(9_000);
    const t0 = Date.now();
    const waiting = c.getListingQuantity('SKU-C').catch((e: unknown) => e);
    setTimeout(() => abort.abort(new Error('activity cancelled')), 100);
    const err = (await waiting) as Error;
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(err.message).toBe('activity cancelled');
    expect(server.requests.filter((r) => r.method === 'GET' && r.path.includes('SKU-C'))).toHaveLength(1);
    // The cancelled call's reserved token is back: the next call waits no longer than it would have before it.
    expect(c.limiter.waitMs('getListingsItem')).toBeLessThanOrEqual(waitBefore);
  });

  it('feeds: document upload, createFeed, getFeed to DONE, processing report → per-SKU outcome', async () => {
    const c = client({ rateOverrides: { getFeed: { rate: 100, burst: 100 } } });
    const updates = [
      { sku: 'F-1', quantity: 3, productType: 'GROCERY' },
      { sku: 'F-2', quantity: -2, productType: 'GROCERY' },
    ];
    const { feedId } = await c.submitFeed(JSON_LISTINGS_FEED, quantityFeed('A1SELLER', updates));
    let feed = await c.getFeed(feedId);
    while (feed.processingStatus !== 'DONE') feed = await c.getFeed(feedId);
    const report = await c.getResultDocument<ProcessingReport>(feed.resultFeedDocumentId!);
    const outcome = feedOutcome(updates, report);
    expect(outcome.accepted).toEqual(['F-1']);
    expect(outcome.rejected.get('F-2')).toEqual(['90000: quantity must be >= 0']);
  });

  it('a feed holds at most 25,000 messages (listings-feed-schema-v2 maxItems)', () => {
    const many = Array.from({ length: 25_001 }, (_, i) => ({ sku: `S${i}`, quantity: 1, productType: 'P' }));
    expect(() => quantityFeed('S', many)).toThrow(RangeError);
    expect(JSON.parse(quantityFeed('S', many.slice(0, 25_000))).messages).toHaveLength(25_000);
  });

  it('vendor inventory: submitInventoryUpdate → transaction id → getTransaction status', async () => {
    const c = client();
    const tx = await c.submitVendorInventory(
      'WH1',
      'VENDOR1',
      [{ vendorProductIdentifier: 'V-1', quantity: 4 }],
      false,
    );
    expect(tx).toMatch(/^tx-/);
    const sent = server.requests.find((r) => r.path.includes('/warehouses/WH1/items'))!;
    expect(sent.body).toEqual({
      inventory: {
        sellingParty: { partyId: 'VENDOR1' },
        isFullUpdate: false,
        items: [{ vendorProductIdentifier: 'V-1', availableQuantity: { amount: 4, unitOfMeasure: 'Each' } }],
      },
    });
    expect((await c.getVendorTransaction(tx)).status).toBe('Success');
  });
});
