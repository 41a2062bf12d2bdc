import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createShopifyExtractActivities,
  type ShopifyWindowResult,
} from '../../../activities/extraction/shopify-extract';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { createShopifyDeletionActivities } from '../../../activities/extraction/shopify-deletions';
import { productSet, ShopifyClient } from '../../../connectors/shopify';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import type { ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { shopifyExtract } from '../../../workflows/extraction/shopify-extract';
import { startChildWorker } from '../../support/child-worker';
import { freshTables } from '../../support/customers/customers-fixture';
import type { FreshDatabases } from '../../support/db';
import {
  childWorkerEnv,
  lakeCounts,
  queryLake,
  shopCounts,
  shopifyLakeStack,
  type ShopifyLakeStack,
} from '../../support/extraction/shopify-lake';
import type { TemporalHarness } from '../../support/temporal';
import { createDynamoClient } from '../../../lake/dynamo-tables';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Shopify → lake extraction (incremental windows)', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const prefix = `shx-${randomUUID().slice(0, 8)}`;
  const shop = `${prefix}.myshopify.com`;
  const bucket = `${prefix}-lake`;
  let t: TemporalHarness;
  let sb: ShopifySandbox;
  let dbs: FreshDatabases;
  let stack: ShopifyLakeStack;
  let acts: ReturnType<typeof createShopifyExtractActivities> & ReturnType<typeof createShopifyDeletionActivities>;
  let shopify: ShopifyClient;

  beforeAll(async () => {
    stack = await shopifyLakeStack('shopify-extract', config.aws.buckets.quarantine, { plan: 'plus', shop });
    ({ t, sb, dbs, shopify } = stack);
    await ensureBuckets(s3, [bucket]);
    const lakeConfig = stack.lakeOf(bucket);
    acts = {
      ...createShopifyExtractActivities({ shopify, lake: lakeConfig, shop, lagMs: 0, overlapMs: 60_000 }),
      ...createShopifyDeletionActivities({
        shopify,
        lake: lakeConfig,
        aws: config.aws,
        shop,
        lagMs: 0,
        overlapMs: 60_000,
      }),
    };
  });
  afterAll(async () => {
    await stack?.close();
    s3.destroy();
    dynamo.destroy();
  });

  const lake = <T = Record<string, unknown>>(sql: string) => queryLake<T>(config.aws, s3, bucket, sql);
  const KEYS = ['orders', 'lines', 'refunds', 'refundLines'] as const;
  const expected = () => shopCounts(sb, KEYS);
  const counts = () => lakeCounts(lake, KEYS);

  it('extracts orders with every line, refund, refund line and tax line, customers and products; a rerun adds nothing', async () => {
    // Grocery baskets (15–80 lines, some > 100), refunds, all created at one instant: many rows share updated_at.
    sb.storefront.placeOrders({ count: 40, refundRate: 0.3, spreadDays: 0 });
    await t.withWorkers({ shopify: withTemporalFailures(acts) }, async () => {
      const first = await t.client.workflow.execute(shopifyExtract, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-extract/${shop}/1`,
      });
      expect(first.map((r) => r.entity)).toEqual(['orders', 'customers', 'products', 'inventory_levels', 'deletions']);
      const { dupes, ...got } = await counts();
      expect(got).toEqual(expected());
      expect(dupes).toBe(0);
      // Updated orders and new ones: the next window (from the cursor, with overlap) takes exactly those.
      const some = [...sb.state.orders.values()].slice(0, 5);
      for (const o of some) sb.storefront.refund(o.id);
      sb.storefront.placeOrders({ count: 5, spreadDays: 0 });
      await sleep(5);
      const second = await t.client.workflow.execute(shopifyExtract, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-extract/${shop}/2`,
      });
      expect((second[0] as ShopifyWindowResult).rows).toBeGreaterThan(0);
      const again = await counts();
      expect({ ...again, dupes: undefined }).toEqual({ ...expected(), dupes: undefined });
      expect(again.dupes).toBe(0);
    });
    const taxes = await lake<{ n: number }>(`SELECT count(*)::INT AS n FROM shopify.tax_lines`);
    expect(taxes[0]!.n).toBe([...sb.state.orders.values()].reduce((n, o) => n + (o.taxLines?.length ?? 0), 0));
    const customers = await lake<{ n: number }>(`SELECT count(DISTINCT customer_id)::INT AS n FROM shopify.customers`);
    expect(customers[0]!.n).toBe(sb.state.customers.size);
    const products = await lake<{ n: number }>(`SELECT count(*)::INT AS n FROM shopify.products`);
    expect(products[0]!.n).toBe(sb.state.products.size);
  }, 180_000);

  it('a worker killed with SIGKILL mid-extraction loses and duplicates nothing', async () => {
    // Recent orders (a window only reads what changed after its cursor).
    sb.storefront.placeOrders({ count: 120, refundRate: 0.2, spreadDays: 0 });
    const env = childWorkerEnv(dbs, sb, bucket, await freshTables(dynamo, 'shx'));
    let worker = await startChildWorker(`${prefix}k`, env);
    const handle = await t.client.workflow.start(shopifyExtract, {
      taskQueue: `${prefix}k.shopify`,
      workflowId: `shopify-extract/${shop}/killed`,
      // The worker's window lags 30 s behind now (Shopify's search index); end it just after the orders instead.
      args: [{ entities: ['orders'], heartbeatTimeoutSeconds: 3, until: new Date(Date.now() + 1000).toISOString() }],
    });
    // Killed once some pages are written, not all.
    // 0 until the first page has created the table.
    const lakeOrders = async () =>
      (await lake<{ n: number }>(`SELECT count(*)::INT AS n FROM shopify.orders`).catch(() => [{ n: 0 }]))[0]!.n;
    const before = await lakeOrders();
    const deadline = Date.now() + 90_000;
    while ((await lakeOrders()) <= before + 3 && Date.now() < deadline) await sleep(250);
    await worker.kill();
    expect(await lakeOrders()).toBeLessThan(expected().orders);
    worker = await startChildWorker(`${prefix}k`, env);
    try {
      await handle.result();
    } finally {
      await worker.kill();
    }
    const { dupes, ...got } = await counts();
    expect(got).toEqual(expected());
    expect(dupes).toBe(0);
  }, 420_000);

  // Shopify 2026-10 reports a deletion as a `destroy` event (deletionEvents: "Use `events` instead."); the lake
  // keeps a tombstone in the row's partition, so the product, its variants and the customer read as deleted.
  it('a product and a customer deleted in Shopify read as deleted in the lake; the rest does not', async () => {
    const sizes = ['330 ml', '1 l'];
    const products: { id: string }[] = [];
    for (let i = 1; i <= 3; i++)
      products.push(
        await productSet(
          shopify,
          {
            title: `Sparkling water ${i}`,
            handle: `sparkling-water-${i}-${prefix}`,
            productOptions: [{ name: 'Size', values: sizes.map((name) => ({ name })) }],
            variants: sizes.map((name, k) => ({
              sku: `SPW-${i}-${k}`,
              price: '1.20',
              optionValues: [{ optionName: 'Size', name }],
            })),
          },
          { handle: `sparkling-water-${i}-${prefix}` },
        ),
      );
    // A customer who signed up and never ordered (Shopify deletes only those).
    const lonely = sb.state.gid('Customer');
    const now = new Date().toISOString();
    sb.state.customers.set(lonely, {
      id: lonely,
      email: null,
      phone: null,
      firstName: null,
      lastName: null,
      createdAt: now,
      updatedAt: now,
    });
    const run = (n: string) =>
      t.client.workflow.execute(shopifyExtract, {
        taskQueue: t.queue('shopify'),
        workflowId: `shopify-extract/${shop}/del-${n}`,
      });
    await t.withWorkers({ shopify: withTemporalFailures(acts) }, async () => {
      await run('1');
      const victim = products[1]!;
      const gql = async (query: string, variables: Record<string, unknown>) =>
        (await fetch(sb.adminGraphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-shopify-access-token': sb.accessToken },
          body: JSON.stringify({ query, variables }),
        }).then((r) => r.json())) as { data: Record<string, { userErrors: unknown[] }> };
      await sleep(5);
      expect(
        (
          await gql('mutation($id: ID!) { productDelete(input: { id: $id }) { userErrors { message } } }', {
            id: victim.id,
          })
        ).data.productDelete!.userErrors,
      ).toEqual([]);
      expect(
        (
          await gql('mutation($id: ID!) { customerDelete(input: { id: $id }) { userErrors { message } } }', {
            id: lonely,
          })
        ).data.customerDelete!.userErrors,
      ).toEqual([]);
      const second = await run('2');
      const d = second.at(-1) as { entity: string; deletions: number; unknown: number };
      expect(d).toMatchObject({ entity: 'deletions', deletions: 2, unknown: 0 });
      const num = (gid: string) => Number(gid.split('/').pop());
      const deletedProducts = await lake<{ id: number }>(
        `SELECT product_id::BIGINT AS id FROM shopify.products WHERE _deleted ORDER BY 1`,
      );
      expect(deletedProducts.map((r) => Number(r.id))).toEqual([num(victim.id)]);
      const variants = await lake<{ id: number; deleted: boolean }>(
        `SELECT variant_id::BIGINT AS id, coalesce(_deleted, false) AS deleted FROM shopify.variants WHERE product_id = ${num(victim.id)}`,
      );
      expect(variants.map((v) => v.deleted)).toEqual([true, true]);
      const live = await lake<{ n: number }>(
        `SELECT count(*)::INT AS n FROM shopify.products WHERE NOT coalesce(_deleted, false)`,
      );
      expect(live[0]!.n).toBe(sb.state.products.size);
      const customers = await lake<{ id: number }>(
        `SELECT customer_id::BIGINT AS id FROM shopify.customers WHERE _deleted`,
      );
      expect(customers.map((c) => Number(c.id))).toEqual([num(lonely)]);
      // Running again finds the same events in the overlap: the same tombstones, nothing new.
      await run('3');
      const again = await lake<{ n: number }>(`SELECT count(*)::INT AS n FROM shopify.products WHERE _deleted`);
      expect(again[0]!.n).toBe(1);
    });
  }, 180_000);
});
