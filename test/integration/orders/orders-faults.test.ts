import { randomUUID } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, ordersDb, type OrdersDb } from '../../../db/client';
import { lineItems, orders } from '../../../db/orders/schema';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import {
  fraudIndicators,
  ordersBackfill,
  ordersBackfillProgressQuery,
  ordersIngest,
  ordersToLake,
  reconcileOrders,
} from '../../../workflows';
import { startChildWorker } from '../../support/child-worker';
import { freshTables } from '../../support/customers/customers-fixture';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const config = loadConfig();
const deps = createDeps(config);
const HISTORY = 2500;
const RECENT = 150;
const num = (gid: string) => Number(gid.split('/').pop());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value, or fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('orders under faults and killed workers', () => {
  let t: TemporalHarness;
  let sb: ShopifySandbox;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let pool: ReturnType<typeof createPool>;
  let db: OrdersDb;
  let env: Record<string, string>;
  let worker: Awaited<ReturnType<typeof startChildWorker>>;
  const prefix = `orders-faults-${randomUUID().slice(0, 8)}`;
  const shop = `${prefix}.myshopify.com`;
  const q = (role: string) => `${prefix}.${role}`;
  const countOrders = async (ids?: number[]) =>
    Number(
      (
        await db
          .select({ n: sql<number>`count(*)` })
          .from(orders)
          .where(ids ? inArray(orders.id, ids) : undefined)
      )[0]!.n,
    );

  beforeAll(async () => {
    t = await temporalHarness('orders-faults');
    sb = await startShopifySandbox({ plan: 'enterprise', shop, bulkRowsPerSecond: 6000 });
    dbs = await freshDatabases();
    pool = createPool(dbs.orders);
    db = ordersDb(pool);
    const bucket = `orders-faults-${randomUUID().slice(0, 8)}`;
    await deps.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    env = {
      ORDERS_DATABASE_URL: dbs.orders,
      PIM_DATABASE_URL: dbs.pim,
      STORE_DATABASE_URL: dbs.store,
      EXTRACTION_DATABASE_URL: dbs.extraction,
      SHOPIFY_SHOP: shop,
      SHOPIFY_ACCESS_TOKEN: sb.accessToken,
      SHOPIFY_WEBHOOK_SECRET: sb.webhookSecret,
      SHOPIFY_ADMIN_URL: sb.adminGraphqlUrl,
      DYNAMODB_TABLE_PREFIX: await freshTables(deps.dynamo, 'orders'),
      LAKE_BUCKET: bucket,
    };
    sb.storefront.placeOrders({
      count: HISTORY,
      spreadDays: 3,
      highRiskRate: 0.05,
      malformedRate: 0.05,
      refundRate: 0.2,
      lines: { min: 1, max: 5 }, // kills and faults, not basket sizes: orders-complete covers those
    });
    worker = await startChildWorker(prefix, env);
  });
  afterAll(async () => {
    await worker?.kill();
    await sb?.close();
    await pool?.end();
    await dbs?.drop();
    await t?.close();
    await deps.close();
  });

  it('backfills history by one bulk query despite a lost start reply and kills while running and mid-stream', async () => {
    // Every mutation commits but its reply is lost: the bulk start must adopt its operation, not start another.
    sb.setFaults({ http5xxRate: 0.05, throttledRate: 0.05, dropAfterCommitRate: 1, seed: 3 });
    const from = new Date(Date.now() - 4 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const handle = await t.client.workflow.start(ordersBackfill, {
      taskQueue: q('shopify'),
      workflowId: `orders-backfill/${shop}/${from}_${to}`,
      args: [{ from, to, heartbeatTimeoutSeconds: 2, batchSize: 200 }],
    });
    const queries = () => [...sb.state.bulkOperations.values()].filter((o) => o.type === 'QUERY');
    await until('the bulk query to run with its id in history', async () =>
      queries()[0]?.status === 'RUNNING' && (await handle.query(ordersBackfillProgressQuery)).operationId
        ? true
        : undefined,
    );
    await worker.kill(); // killed while Shopify is still building the result
    worker = await startChildWorker(prefix, env);
    // Killed mid-stream: some batches written, not all (the retry resumes from the last heartbeat that reached Temporal).
    const killedAt = await until('part of the history written', async () => {
      const n = await countOrders();
      return n > 0 && n < HISTORY ? n : undefined;
    });
    await worker.kill(); // killed mid-stream, after some batches are written
    sb.setFaults({ http5xxRate: 0.05, throttledRate: 0.05, seed: 4 });
    worker = await startChildWorker(prefix, env);

    const result = await handle.result();
    expect(killedAt).toBeLessThan(HISTORY);
    expect(queries().length).toBe(1);
    expect(result.operationId).toBe(queries()[0]!.id);
    expect(result.orders).toBeGreaterThanOrEqual(HISTORY);
    expect(await countOrders()).toBe(HISTORY);
    expect((await db.select({ id: lineItems.id }).from(lineItems)).length).toBe(
      [...sb.state.orders.values()].reduce((n, o) => n + o.lineItems.length, 0),
    );
    const malformed = [...sb.state.orders.values()].filter(
      (o) => o.presentmentCurrencyCode !== 'BBD' || !o.lineItems.length || o.lineItems.some((l) => l.quantity <= 0),
    );
    const flagged = await db
      .select({ id: orders.id, flags: orders.validationFlags })
      .from(orders)
      .where(sql`${orders.validationFlags} is not null`);
    expect(malformed.length).toBeGreaterThan(0);
    expect(new Set(flagged.map((f) => f.id))).toEqual(new Set(malformed.map((o) => num(o.id))));
  }, 120_000);

  it('ingests a window of recent changes through 5xx and THROTTLED with the worker killed mid-window', async () => {
    const placed = sb.storefront.placeOrders({ count: RECENT, highRiskRate: 0.1 });
    const old = [...sb.state.orders.values()].slice(0, 20);
    for (const o of old) sb.storefront.updateOrder(o.id, { fulfillmentStatus: 'FULFILLED' });
    sb.setFaults({ http5xxRate: 0.1, throttledRate: 0.1, seed: 9 });
    const ids = placed.map((o) => num(o.id));
    const handle = await t.client.workflow.start(ordersIngest, {
      taskQueue: q('shopify'),
      workflowId: `orders-ingest/${shop}/${randomUUID()}`,
      args: [{ shop, firstRunLookbackMs: 10 * 60_000 }],
    });
    const killedAt = await until('part of the window written', async () => {
      const n = await countOrders(ids);
      return n > 0 && n < RECENT ? n : undefined;
    });
    await worker.kill();
    worker = await startChildWorker(prefix, env);
    const result = await handle.result();
    sb.setFaults({});
    expect(killedAt).toBeLessThan(RECENT);
    expect(result.count).toBeGreaterThanOrEqual(RECENT + old.length);
    expect(await countOrders()).toBe(HISTORY + RECENT);
    const fulfilled = await db
      .select({ s: orders.fulfillmentStatus })
      .from(orders)
      .where(
        inArray(
          orders.id,
          old.map((o) => num(o.id)),
        ),
      );
    expect(fulfilled.every((r) => r.s === 'FULFILLED')).toBe(true);
  }, 120_000);

  it('moves every day to the lake and DynamoDB, flags fraud, and reconciles with zero differences', async () => {
    const days = [3, 2, 1, 0].map((d) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10));
    let exported = 0;
    for (const day of days) {
      const r = await t.client.workflow.execute(ordersToLake, {
        taskQueue: q('data'),
        workflowId: `orders-lake/${shop}/${day}`,
        args: [{ day }],
      });
      exported += r.orders;
    }
    expect(exported).toBe(HISTORY + RECENT);
    const fraud = await t.client.workflow.execute(fraudIndicators, {
      taskQueue: q('shopify'),
      workflowId: `fraud-indicators/${shop}`,
      args: [{ lookbackHours: 24 * 5 }],
    });
    const high = [...sb.state.orders.values()].filter((o) => o.risk.recommendation === 'CANCEL').map((o) => num(o.id));
    expect(new Set(fraud.flagged)).toEqual(new Set(high));
    expect(fraud.flaggedInDynamo).toBe(high.length);
    for (const day of days) {
      const r = await t.client.workflow.execute(reconcileOrders, {
        taskQueue: q('data'),
        workflowId: `orders-reconcile/${shop}/${day}`,
        args: [{ day }],
      });
      expect(r.differenceCount).toBe(0);
      expect(new Set(Object.values(r.counts)).size).toBe(1);
    }
  }, 120_000);

  it('re-syncs named orders on request without moving the ingest cursor', async () => {
    const target = [...sb.state.orders.values()][5]!;
    sb.storefront.updateOrder(target.id, { financialStatus: 'REFUNDED' });
    const cursor = async () =>
      (
        (await pool.query(
          "SELECT cursor_updated_at AS c FROM ingest_cursors WHERE pipeline = 'orders-ingest'",
        )) as unknown as [{ c: Date }[]]
      )[0][0]?.c.getTime();
    const before = await cursor();
    const r = await t.client.workflow.execute(ordersIngest, {
      taskQueue: q('shopify'),
      workflowId: `orders-ingest/${shop}/resync-${randomUUID().slice(0, 8)}`,
      args: [{ shop, orderIds: [num(target.id)] }],
    });
    expect(r.count).toBe(1);
    const [row] = await db
      .select({ s: orders.financialStatus })
      .from(orders)
      .where(inArray(orders.id, [num(target.id)]));
    expect(row!.s).toBe('REFUNDED');
    expect(await cursor()).toBe(before);
  }, 60_000);
});
