import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyBackfillActivities } from '../../../activities/extraction/shopify-backfill';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { activateInventory, inventorySetQuantities, listLocations, productSet } from '../../../connectors/shopify';
import {
  createShopifyExtractActivities,
  type ShopifyWindowResult,
} from '../../../activities/extraction/shopify-extract';
import { shopifyExtract } from '../../../workflows/extraction/shopify-extract';
import { createDynamoClient } from '../../../lake/dynamo-tables';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import type { ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { shopifyBackfill } from '../../../workflows/extraction/shopify-backfill';
import { startChildWorker } from '../../support/child-worker';
import { freshTables } from '../../support/customers/customers-fixture';
import type { FreshDatabases } from '../../support/db';
import {
  childWorkerEnv,
  lakeCounts,
  ORDER_COUNTS,
  queryLake,
  shopCounts,
  shopifyLakeStack,
  type ShopifyLakeStack,
} from '../../support/extraction/shopify-lake';
import type { TemporalHarness } from '../../support/temporal';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DAY = 86_400_000;

describe('Shopify → lake historical backfill (bulk queries)', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const prefix = `shb-${randomUUID().slice(0, 8)}`;
  const shop = `${prefix}.myshopify.com`;
  let t: TemporalHarness;
  let sb: ShopifySandbox;
  let dbs: FreshDatabases;
  let stack: ShopifyLakeStack;
  let lakeOf: ShopifyLakeStack['lakeOf'];
  const from = new Date(Date.now() - 130 * DAY).toISOString();
  const to = () => new Date(Date.now() + 60_000).toISOString();

  beforeAll(async () => {
    // Bulk operations run at a bounded rate, so a worker can die while one is running or being written.
    stack = await shopifyLakeStack('shopify-backfill', config.aws.buckets.quarantine, {
      plan: 'plus',
      shop,
      bulkRowsPerSecond: 4_000,
    });
    ({ t, sb, dbs, lakeOf } = stack);
    // A catalogue (sizes as variants), then months of grocery history: baskets of 15–80 lines (some > 100),
    // refunds with their lines.
    const client = stack.shopify;
    const sizes = ['500 g', '1 kg', '2 kg'];
    for (let i = 1; i <= 40; i++)
      await productSet(
        client,
        {
          title: `Rolled oats ${i}`,
          handle: `rolled-oats-${i}`,
          productOptions: [{ name: 'Size', values: sizes.map((name) => ({ name })) }],
          variants: sizes.map((name, k) => ({
            sku: `OAT-${i}-${k}`,
            price: (1.5 + k * 1.25).toFixed(2),
            optionValues: [{ optionName: 'Size', name }],
          })),
        },
        { handle: `rolled-oats-${i}` },
      );
    sb.storefront.placeOrders({ count: 160, refundRate: 0.3, spreadDays: 120 });
  });
  afterAll(async () => {
    await stack?.close();
    s3.destroy();
    dynamo.destroy();
  });

  const lake = <T = Record<string, unknown>>(bucket: string, sql: string) => queryLake<T>(config.aws, s3, bucket, sql);
  const ALL = ['orders', 'lines', 'refunds', 'refundLines', 'taxLines', 'customers', 'products', 'variants'] as const;
  const expected = () => shopCounts(sb, ALL);
  const counts = (bucket: string) => lakeCounts((sql) => lake(bucket, sql), ALL);
  const queryOps = () => [...sb.state.bulkOperations.values()].filter((o) => o.type === 'QUERY');

  it('reads months of orders (lines, refunds, refund lines, tax lines), customers, products and variants into the lake; a rerun starts no operation', async () => {
    const bucket = `${prefix}-a`;
    await ensureBuckets(s3, [bucket]);
    const { shopify } = stack;
    const acts = createShopifyBackfillActivities({ shopify, lake: lakeOf(bucket), shop });
    const input = { from, to: to(), entities: ['orders', 'customers', 'products'] as const, chunkDays: 45 };
    const opsBefore = queryOps().length;
    await t.withWorkers({ shopify: withTemporalFailures(acts) }, async () => {
      const results = await t.client.workflow.execute(shopifyBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-backfill/${shop}/a1`,
        args: [{ ...input, entities: [...input.entities], batchLines: 2_000 }],
      });
      // 130 days in 45-day windows: 3 operations per entity, none of them nesting more than two connections.
      expect(results.map((r) => r.entity)).toEqual([
        ...Array(3).fill('orders'),
        ...Array(3).fill('customers'),
        ...Array(3).fill('products'),
      ]);
      expect(queryOps().length - opsBefore).toBe(9);
      expect(results.reduce((n, r) => n + r.quarantined + r.unmatched, 0)).toBe(0);
      const { dupes, ...got } = await counts(bucket);
      expect(got).toEqual(expected());
      expect(dupes).toBe(0);
      // The same backfill again: every chunk is done in the lake, so nothing is started or written.
      const again = await t.client.workflow.execute(shopifyBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-backfill/${shop}/a2`,
        args: [{ ...input, entities: [...input.entities] }],
      });
      expect(again).toEqual([]);
      expect(queryOps().length - opsBefore).toBe(9);
    });
    // Refund lines come joined to their order's partition and version.
    const joined = await lake<{ n: number }>(
      bucket,
      `SELECT count(*)::INT AS n FROM shopify.refund_lines r JOIN shopify.orders o USING (order_id)
       WHERE r.order_created_at = o.created_at AND r.dt = o.dt`,
    );
    expect(joined[0]!.n).toBe(expected().refundLines);
  }, 300_000);

  it('a worker killed with SIGKILL mid-backfill and the backfill started again lose and duplicate nothing, and redo no chunk', async () => {
    const bucket = `${prefix}-k`;
    await ensureBuckets(s3, [bucket]);
    const env = childWorkerEnv(dbs, sb, bucket, await freshTables(dynamo, 'shb'));
    const input = {
      from,
      to: to(),
      entities: ['orders' as const],
      chunkDays: 45,
      batchLines: 500,
      heartbeatTimeoutSeconds: 3,
    };
    const opsBefore = queryOps().length;
    let worker = await startChildWorker(`${prefix}k`, env);
    const first = await t.client.workflow.start(shopifyBackfill, {
      taskQueue: `${prefix}k.shopify`,
      workflowId: `shopify-backfill/${shop}/k1`,
      args: [input],
    });
    const lakeLines = async () =>
      (
        await lake<{ n: number }>(bucket, `SELECT count(*)::INT AS n FROM shopify.line_items`).catch(() => [{ n: 0 }])
      )[0]!.n;
    const deadline = Date.now() + 120_000;
    // Killed once the first batch is in the lake (a chunk holds two), not all of it.
    while ((await lakeLines()) === 0 && Date.now() < deadline) await sleep(200);
    await worker.kill();
    const before = await lakeLines();
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(expected().lines);
    // The backfill is started again from scratch (another workflow): it must adopt, not restart, what was begun.
    await t.client.workflow.getHandle(first.workflowId).terminate('restarted backfill');
    worker = await startChildWorker(`${prefix}k`, env);
    try {
      const results = await t.client.workflow.execute(shopifyBackfill, {
        taskQueue: `${prefix}k.shopify`,
        workflowId: `shopify-backfill/${shop}/k2`,
        args: [input],
      });
      expect(results.length).toBeLessThanOrEqual(3);
    } finally {
      await worker.kill();
    }
    // One operation per chunk over both runs: the killed chunk's operation was adopted, finished chunks not redone.
    expect(queryOps().length - opsBefore).toBe(3);
    const { dupes, ...got } = await ordersOnly(bucket);
    expect(got).toEqual(shopCounts(sb, ORDER_COUNTS));
    expect(dupes).toBe(0);
  }, 420_000);

  it('inventory levels per location land in shopify.inventory_levels by backfill, then incrementally as they change', async () => {
    const bucket = `${prefix}-i`;
    await ensureBuckets(s3, [bucket]);
    const { shopify } = stack;
    // Every variant stocked at the first two locations (stores with one- and two-letter codes).
    const locations = (await listLocations(shopify)).slice(0, 2);
    const items = [...sb.state.products.values()].flatMap((p) => p.variants.map((v) => v.inventoryItemId));
    for (const [k, item] of items.entries())
      for (const [j, loc] of locations.entries())
        await activateInventory(shopify, item, loc.id, 10 + ((k + j) % 7), `act-${item}-${loc.id}`);
    const lakeDeps = { shopify, lake: lakeOf(bucket), shop };
    const backfill = createShopifyBackfillActivities(lakeDeps);
    const extract = createShopifyExtractActivities({ ...lakeDeps, lagMs: 0, overlapMs: 1_000 });
    const levels = async () =>
      (
        await lake<{ item: string; loc: string; on_hand: number; available: number; committed: number }>(
          bucket,
          `SELECT inventory_item_id AS item, location_id AS loc, on_hand, available, committed
           FROM shopify.inventory_levels ORDER BY 1, 2`,
        )
      ).map((l) => ({ ...l, item: Number(l.item), loc: Number(l.loc) }));
    const shopLevels = () =>
      [...sb.state.inventoryItems.values()]
        .flatMap((i) =>
          [...i.levels].map(([loc, q]) => ({
            item: Number(i.id.split('/').pop()),
            loc: Number(loc.split('/').pop()),
            on_hand: q.get('on_hand') ?? 0,
            available: q.get('available') ?? 0,
            committed: q.get('committed') ?? 0,
          })),
        )
        .sort((a, b) => a.item - b.item || a.loc - b.loc);
    await t.withWorkers({ shopify: withTemporalFailures({ ...backfill, ...extract }) }, async () => {
      const done = await t.client.workflow.execute(shopifyBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-backfill/${shop}/levels`,
        args: [{ from, to: to(), entities: ['inventory_levels'] }],
      });
      expect(done).toHaveLength(1);
      expect(await levels()).toEqual(shopLevels());
      expect((await levels()).length).toBe(items.length * 2);
      // The 240 activations above take well under a second against the sandbox; without a pause, they all fell in the
      // overlap of the next window after the first incremental one (CI, 2026-12-02: every level read again).
      await sleep(1_100);
      // A first incremental window takes the cursor to now; then a few levels change.
      await t.client.workflow.execute(shopifyExtract, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-extract/${shop}/levels-1`,
        args: [{ entities: ['inventory_levels'] }],
      });
      await sleep(1_100);
      const changed = items.slice(0, 5);
      await inventorySetQuantities(
        shopify,
        {
          name: 'on_hand',
          reason: 'correction',
          quantities: changed.map((inventoryItemId) => ({
            inventoryItemId,
            locationId: locations[1]!.id,
            quantity: 99,
            changeFromQuantity: sb.state.inventoryItems
              .get(inventoryItemId)!
              .levels.get(locations[1]!.id)!
              .get('on_hand')!,
          })),
        },
        `levels-${prefix}`,
      );
      const next = await t.client.workflow.execute(shopifyExtract, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-extract/${shop}/levels-2`,
        args: [{ entities: ['inventory_levels'] }],
      });
      // What changed is read again, and only that (nothing else changed in the window or its overlap), never the whole
      // shop again; and the lake now says what Shopify says.
      const reread = (next[0] as ShopifyWindowResult).rows;
      expect(reread).toBe(changed.length);
      expect(await levels()).toEqual(shopLevels());
      expect((await levels()).filter((l) => l.on_hand === 99)).toHaveLength(changed.length);
    });
  }, 300_000);

  /** The order tables alone (the killed backfill read orders only, so customers and products hold nothing). */
  const ordersOnly = (bucket: string) => lakeCounts((sql) => lake(bucket, sql), ORDER_COUNTS);
});
