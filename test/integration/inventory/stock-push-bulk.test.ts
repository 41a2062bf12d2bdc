import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger } from '../../../activities/inventory/ledger';
import { createLedgerReads } from '../../../activities/inventory/ledger-reads';
import { setOnHandStaleAware } from '../../../activities/inventory/cas-write';
import { createStockPushActivities, type PendingPushReport } from '../../../activities/inventory/stock-push';
import { ShopifyClient } from '../../../connectors/shopify';
import { createPool } from '../../../db/client';
import { createS3Client } from '../../../lake/s3';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { publishedCatalog } from '../../../bench/support/sandbox-shop';
import { freshDatabases, type FreshDatabases } from '../../support/db';

// #13: a full re-sync (a store count of the whole catalogue) leaves thousands of SKUs pending for Shopify. Read
// item by item, their levels cost 3 + 3 × locations points each (10,000 SKUs: ~60,000 points, a minute of Plus's
// restore) where the writes fit the bucket. Above a threshold the pusher reads the shop's levels with one bulk query.
const N = 1_500;
const STORE = 'C';

describe('pending stock pusher with a backlog of thousands of SKUs', () => {
  let urls: FreshDatabases;
  let pools: {
    pim: ReturnType<typeof createPool>;
    store: ReturnType<typeof createPool>;
    inventory: ReturnType<typeof createPool>;
  };
  let shop: ShopifySandbox;
  let s3: ReturnType<typeof createS3Client>;
  let items: string[];
  let locations: string[];
  let ledger: ReturnType<typeof createLedger>;
  const skus = Array.from({ length: N }, (_, i) => `BULK-${String(i + 1).padStart(5, '0')}`);
  const client = () =>
    new ShopifyClient({ shop: shop.shop, accessToken: shop.accessToken, adminUrl: shop.adminGraphqlUrl });
  const level = (i: number) => shop.state.inventoryItems.get(items[i]!)!.levels.get(locations[0]!)!;

  beforeAll(async () => {
    urls = await freshDatabases();
    pools = { pim: createPool(urls.pim), store: createPool(urls.store), inventory: createPool(urls.inventory) };
    shop = await startShopifySandbox({ plan: 'plus' });
    await pools.store.query('INSERT INTO stores (code, name) VALUES (?, ?)', [STORE, 'Carlton']);
    ({ inventoryItemIds: items, locationIds: locations } = await publishedCatalog(shop, pools.pim, {
      skus,
      stores: [STORE],
      onHand: () => 10,
    }));
    const config = loadConfig();
    s3 = createS3Client(config.aws);
    ledger = createLedger({ ...pools, s3, quarantineBucket: config.aws.buckets.quarantine });
    const at = new Date().toISOString();
    await ledger.applyMovements(
      skus.map((sku, i) => ({
        key: `test/count/${sku}`,
        kind: 'count' as const,
        sku,
        location: STORE,
        quantity: 12 + (i % 3),
        occurredAt: at,
      })),
      { source: 'test' },
    );
  }, 120_000);
  afterAll(async () => {
    await shop?.close();
    s3?.destroy();
    await Promise.all(Object.values(pools ?? {}).map((p) => p.end()));
    await urls?.drop();
  });

  it('reads the levels of 1,500 pending SKUs with one bulk query, not 3 + 3 × locations points per SKU', async () => {
    const shopify = client();
    const acts = createStockPushActivities({ ...pools, shopify, reads: createLedgerReads(pools) });
    const env = new MockActivityEnvironment();
    const r = (await env.run(acts.pushPendingStock, {
      runForMs: 60_000,
      pollMs: 50,
      idleStopMs: 500,
    })) as PendingPushReport;
    expect(r.skus).toBeGreaterThanOrEqual(N);
    // Every SKU offered what the ledger counted.
    const wrong = skus.filter((_, i) => level(i).get('available') !== 12 + (i % 3));
    expect(wrong).toEqual([]);
    // Item reads: ~6 points a SKU (9,000 for 1,500). The passes before the bulk read is in still read item by item.
    expect(shopify.stats.pointsSpent).toBeLessThan(4_000);
    expect([...shop.state.bulkOperations.values()].filter((o) => o.type === 'QUERY')).toHaveLength(1);
  }, 120_000);

  // The Amazon channels' confirmations of a re-sync mark its SKUs for the pusher again seconds later: a second
  // backlog of the same SKUs, whose levels the first bulk read had already served.
  it('a second backlog of the same SKUs within a run is read in bulk again', async () => {
    const shopify = client();
    const acts = createStockPushActivities({ ...pools, shopify, reads: createLedgerReads(pools) });
    const env = new MockActivityEnvironment();
    const bulkQueries = () => [...shop.state.bulkOperations.values()].filter((o) => o.type === 'QUERY').length;
    const before = bulkQueries();
    const run = env.run(acts.pushPendingStock, { runForMs: 60_000, pollMs: 50, idleStopMs: 3_000 });
    const at = (want: (i: number) => number) => skus.every((_, i) => level(i).get('available') === want(i));
    const until = async (what: string, ok: () => boolean) => {
      const end = Date.now() + 30_000;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await ledger.applyMovements(
      skus.map((sku, i) => ({
        key: `test/count2/${sku}`,
        kind: 'count' as const,
        sku,
        location: STORE,
        quantity: 20 + (i % 3),
        occurredAt: new Date().toISOString(),
      })),
      { source: 'test' },
    );
    await until('the first backlog', () => at((i) => 20 + (i % 3)));
    const points = shopify.stats.pointsSpent;
    await ledger.applyMovements(
      skus.map((sku, i) => ({
        key: `test/count3/${sku}`,
        kind: 'count' as const,
        sku,
        location: STORE,
        quantity: 25 + (i % 3),
        occurredAt: new Date().toISOString(),
      })),
      { source: 'test' },
    );
    await until('the second backlog', () => at((i) => 25 + (i % 3)));
    await run;
    // The second backlog alone: item reads would cost ~9,000 points.
    expect(shopify.stats.pointsSpent - points).toBeLessThan(4_000);
    expect(bulkQueries() - before).toBe(2);
  }, 120_000);

  it('a stale compare quantity sends only its own SKU to a fresh read; the other lines are written', async () => {
    const shopify = client();
    const before = [0, 1, 2].map((i) => level(i).get('on_hand')!);
    // Someone sold one of the second item in Shopify since our read: its compare quantity is stale.
    level(1).set('on_hand', before[1]! - 1);
    const lines = [0, 1, 2].map((i) => ({
      job: skus[i]!,
      quantity: {
        inventoryItemId: items[i]!,
        locationId: locations[0]!,
        quantity: 30 + i,
        changeFromQuantity: before[i]!,
      },
    }));
    const r = await setOnHandStaleAware(shopify, lines, (n) => `stale-test-${n}`, true);
    expect([...r.stale]).toEqual([skus[1]]);
    expect(r.written.map((w) => w.job)).toEqual([skus[0], skus[2]]);
    expect([0, 1, 2].map((i) => level(i).get('on_hand'))).toEqual([30, before[1]! - 1, 32]);
  }, 60_000);
});
