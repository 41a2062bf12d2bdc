import { createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../../activities/orders/orders';
import { createOrderWebhookActivities } from '../../../activities/orders/orders-webhook';
import { orderPayload } from '../../../sandbox/shopify/order-payload';
import { upsertOrder } from '../../../activities/orders/orders-store';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { ShopifyClient, syncWebhookSubscriptions } from '../../../connectors/shopify';
import { createPool, ordersDb, type OrdersDb } from '../../../db/client';
import { lineItems, orders, riskAssessments } from '../../../db/orders/schema';
import { toOrderRows, type GqlOrder } from '../../../domain/orders/orders';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { mysqlLakeLock } from '../../../lake/lake-lock';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { createWebhookServer } from '../../../workers/webhooks-http';
import { fraudIndicators, ordersIngest, ordersToLake, reconcileOrders } from '../../../workflows';
import { createOrdersLakeActivities } from '../../../activities/orders/orders-lake';
import { createFraudActivities } from '../../../activities/orders/fraud';
import {
  createReconcileActivities,
  createShopifyReconcileActivities,
} from '../../../activities/orders/orders-reconcile';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

describe('order ingest (Shopify → orders DB)', () => {
  const config = loadConfig();
  let t: TemporalHarness;
  let sb: ShopifySandbox;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let pool: ReturnType<typeof createPool>;
  let db: OrdersDb;
  let activities: Record<string, (...a: never[]) => unknown>;
  let dataActivities: Record<string, (...a: never[]) => unknown>;
  let server: http.Server;
  let hookUrl: string;
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const shop = `orders-${randomUUID().slice(0, 6)}.myshopify.com`;
  // Its own lake bucket: other test files export the same days.
  const lakeBucket = `orders-ingest-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await temporalHarness('orders');
    sb = await startShopifySandbox({
      plan: 'plus',
      shop,
      webhookRetryDelaysMs: [100, 200],
      allowHttpLoopbackWebhooks: true,
    });
    dbs = await freshDatabases();
    await ensureBuckets(s3, [lakeBucket]);
    pool = createPool(dbs.orders);
    db = ordersDb(pool);
    const shopify = new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
    activities = withTemporalFailures({
      ...createOrderActivities({ orders: db, shopify, shop }),
      ...createFraudActivities({ orders: db, shopify }),
      ...createShopifyReconcileActivities({ shopify, s3, bucket: lakeBucket }),
    });
    dataActivities = withTemporalFailures({
      ...createOrdersLakeActivities({
        orders: db,
        lake: { s3, bucket: lakeBucket, quarantineBucket: config.aws.buckets.quarantine, lock: mysqlLakeLock(pool) },
        dynamo,
        tablePrefix: `${config.aws.tablePrefix}${shop.slice(0, 13)}-`,
      }),
      ...createReconcileActivities({
        orders: db,
        s3,
        dynamo,
        bucket: lakeBucket,
        tablePrefix: `${config.aws.tablePrefix}${shop.slice(0, 13)}-`,
      }),
      ...createOrderWebhookActivities({ orders: db, s3, archiveBucket: config.aws.buckets.archive, shop }),
    });
    await ensureTables(dynamo, `${config.aws.tablePrefix}${shop.slice(0, 13)}-`);
    server = createWebhookServer({
      secret: sb.webhookSecret,
      shop,
      s3,
      archiveBucket: config.aws.buckets.archive,
      dynamo,
      tablePrefix: config.aws.tablePrefix,
      temporal: t.client,
      taskQueue: t.queue('shopify'),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
  });
  afterAll(async () => {
    server.close();
    await sb.close();
    await pool.end();
    await dbs.drop();
    await t.close();
    s3.destroy();
    dynamo.destroy();
  });

  const count = async () => (await db.select({ id: orders.id }).from(orders)).length;

  it('ingests a window page by page under faults, storing line items, risk and validation flags; a rerun adds nothing', async () => {
    sb.storefront.placeOrders({ count: 60, spreadDays: 3, highRiskRate: 0.1, malformedRate: 0.1, refundRate: 0.2 });
    sb.setFaults({ http5xxRate: 0.1, throttledRate: 0.1, seed: 5 });
    const run = () =>
      t.withWorkers({ shopify: activities }, () =>
        t.client.workflow.execute(ordersIngest, {
          taskQueue: t.queue('shopify'),
          workflowId: `orders-ingest/${shop}/${randomUUID()}`,
          args: [{ shop }],
        }),
      );
    const first = await run();
    sb.setFaults({});
    expect(first.count).toBe(60);
    expect(await count()).toBe(60);
    expect((await db.select().from(lineItems)).length).toBe(
      [...sb.state.orders.values()].reduce((n, o) => n + o.lineItems.length, 0),
    );
    const high = [...sb.state.orders.values()]
      .filter((o) => o.risk.recommendation === 'CANCEL')
      .map((o) => Number(o.id.split('/').pop()));
    const flaggedRows = (await db.select().from(orders).where(eq(orders.flaggedHighRisk, true))).map((o) => o.id);
    expect(flaggedRows.sort()).toEqual(high.sort());
    expect((await db.select().from(riskAssessments)).length).toBe(60);
    const malformed = [...sb.state.orders.values()].filter(
      (o) => o.presentmentCurrencyCode !== 'BBD' || !o.lineItems.length || o.lineItems.some((l) => l.quantity <= 0),
    );
    const stored = await db.select().from(orders);
    for (const o of malformed)
      expect(stored.find((r) => r.id === Number(o.id.split('/').pop()))?.validationFlags?.length).toBeGreaterThan(0);

    const second = await run(); // starts from the saved cursor minus the overlap
    expect(second.inserted).toBe(0);
    expect(await count()).toBe(60);
  }, 120_000);

  it('continues a big window as new without skipping orders that share one updatedAt', async () => {
    const same = new Date(Date.now() - 30_000).toISOString();
    const placed = sb.storefront.placeOrders({ count: 40, seed: 21 });
    for (const o of placed) o.updatedAt = same; // 40 orders, one timestamp, across pages and runs
    const handle = await t.client.workflow.start(ordersIngest, {
      taskQueue: t.queue('shopify'),
      workflowId: `orders-ingest/${shop}/${randomUUID()}`,
      args: [{ shop, pagesPerActivity: 1, activitiesPerRun: 2 }],
    });
    const result = await t.withWorkers({ shopify: activities }, () => handle.result());
    const ids = placed.map((o) => Number(o.id.split('/').pop()));
    const stored = await db.select({ id: orders.id }).from(orders).where(inArray(orders.id, ids));
    expect(stored.length).toBe(40);
    expect(result.inserted).toBe(40);
    // It did continue as new: the run that finished is not the first one.
    const d = await handle.describe();
    expect(d.runId).not.toBe(handle.firstExecutionRunId);
  }, 60_000);

  it('never lets an older version of an order overwrite a newer one', async () => {
    const [row] = await db.select().from(orders).limit(1);
    const order = [...sb.state.orders.values()].find((o) => Number(o.id.split('/').pop()) === row!.id)!;
    const older = toOrderRows(
      {
        ...(order as unknown as GqlOrder),
        lineItems: [],
        updatedAt: new Date(row!.updatedAtShopify.getTime() - 60_000).toISOString(),
        name: 'OLD',
        currencyCode: 'BBD',
        presentmentCurrencyCode: 'BBD',
        displayFinancialStatus: 'PAID',
        displayFulfillmentStatus: 'UNFULFILLED',
        totalPriceSet: null,
        createdAt: order.createdAt,
        processedAt: null,
        cancelledAt: null,
        customer: null,
        shippingAddress: null,
        billingAddress: null,
        email: null,
      },
      shop,
    );
    expect(await upsertOrder(db, older)).toBe('stale');
    const [after] = await db.select().from(orders).where(eq(orders.id, row!.id));
    expect(after!.name).toBe(row!.name);
  });

  it('upserts an order within seconds of its webhook; forged → 401, malformed → 200 dead-lettered, repeats dropped', async () => {
    await syncWebhookSubscriptions(
      new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl }),
      hookUrl,
      ['ORDERS_CREATE', 'ORDERS_UPDATED', 'ORDERS_RISK_ASSESSMENT_CHANGED'],
    );
    await t.withWorkers({ shopify: activities, data: dataActivities }, async () => {
      // A HIGH-risk order: its body is upserted from the archive, its risk change re-reads Order.risk; whichever
      // lands first, the row ends up flagged (a body without risk never clears it).
      const placed = sb.storefront.placeOrder({ highRiskRate: 1 });
      const id = Number(placed.id.split('/').pop());
      const started = Date.now();
      const flagged = async () =>
        (await db.select().from(orders).where(eq(orders.id, id)))[0]?.flaggedHighRisk === true;
      while (!(await flagged()) && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 50));
      expect(Date.now() - started).toBeLessThan(5_000);
      await sb.webhooks.drain();
      sb.storefront.updateOrder(placed.id, { fulfillmentStatus: 'FULFILLED' });
      await sb.webhooks.drain();
      const deadline = Date.now() + 10_000;
      let row = (await db.select().from(orders).where(eq(orders.id, id)))[0]!;
      while (row.fulfillmentStatus !== 'FULFILLED' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        row = (await db.select().from(orders).where(eq(orders.id, id)))[0]!;
      }
      expect(row).toMatchObject({ fulfillmentStatus: 'FULFILLED', flaggedHighRisk: true, riskLevel: 'HIGH' });

      const body = Buffer.from(JSON.stringify(orderPayload(placed, sb.state)));
      const sign = (b: Buffer) => createHmac('sha256', sb.webhookSecret).update(b).digest('base64');
      const post = (b: Buffer, hmac: string, eventId = randomUUID()) =>
        fetch(hookUrl, {
          method: 'POST',
          body: b,
          headers: {
            'x-shopify-hmac-sha256': hmac,
            'x-shopify-topic': 'orders/updated',
            'x-shopify-webhook-id': randomUUID(),
            'x-shopify-event-id': eventId,
          },
        });
      expect((await post(body, sign(Buffer.from('{"id":1}')))).status).toBe(401);
      const bad = Buffer.from('{"id": not json');
      const malformed = await post(bad, sign(bad));
      // Genuine but unusable: acknowledged (no 48 h of Shopify retries) and dead-lettered with its reason.
      expect(malformed.status).toBe(200);
      expect(((await malformed.json()) as { reason: string }).reason).toMatch(/malformed body/);
      const dead = await s3.send(
        new ListObjectsV2Command({
          Bucket: config.aws.buckets.archive,
          Prefix: 'webhooks/dead-letter/orders_updated/',
        }),
      );
      const deadKeys = (dead.Contents ?? []).map((o) => o.Key!);
      expect(deadKeys.length).toBeGreaterThan(0);
      const archived = await s3.send(
        new GetObjectCommand({ Bucket: config.aws.buckets.archive, Key: deadKeys.at(-1)! }),
      );
      expect(await archived.Body!.transformToString()).toBe('{"id": not json');
      const eventId = randomUUID();
      expect(await (await post(body, sign(body), eventId)).json()).toEqual({ accepted: true });
      expect(await (await post(body, sign(body), eventId)).json()).toEqual({ duplicate: true });
    });
  }, 60_000);

  it('moves each day to the lake and DynamoDB idempotently, and reconciles with zero differences', async () => {
    const days = [...new Set([...sb.state.orders.values()].map((o) => o.createdAt.slice(0, 10)))].sort();
    await t.withWorkers({ shopify: activities, data: dataActivities }, async () => {
      for (const day of days) {
        const first = await t.client.workflow.execute(ordersToLake, {
          taskQueue: t.queue('data'),
          workflowId: `orders-lake/${shop}/${day}`,
          args: [{ day }],
        });
        const again = await t.client.workflow.execute(ordersToLake, {
          taskQueue: t.queue('data'),
          workflowId: `orders-lake/${shop}/${day}/again`,
          args: [{ day }],
        });
        // Same objects, items, counts and total; only the measured timings differ.
        expect({ ...again, timings: null }).toEqual({ ...first, timings: null });
        const report = await t.client.workflow.execute(reconcileOrders, {
          taskQueue: t.queue('data'),
          workflowId: `orders-reconcile/${shop}/${day}`,
          args: [{ day }],
        });
        expect(report.differenceCount).toBe(0);
        expect(new Set(Object.values(report.counts)).size).toBe(1);
        expect(new Set(Object.values(report.sums)).size).toBe(1);
      }
      // A row missing from DynamoDB is reported by id.
      const [victim] = await db.select().from(orders).limit(1);
      await db.delete(orders).where(eq(orders.id, victim!.id));
      const report = await t.client.workflow.execute(reconcileOrders, {
        taskQueue: t.queue('data'),
        workflowId: `orders-reconcile/${shop}/drift`,
        args: [{ day: victim!.createdAtShopify.toISOString().slice(0, 10) }],
      });
      expect(report.sample.map((d) => d.orderId)).toEqual([String(victim!.id)]);
      expect(report.sample[0]!.missingIn).toEqual(['database']);
    });
  }, 120_000);

  it('downloads risk assessments and flags HIGH / CANCEL orders', async () => {
    const result = await t.withWorkers({ shopify: activities, data: dataActivities }, () =>
      t.client.workflow.execute(fraudIndicators, {
        taskQueue: t.queue('shopify'),
        workflowId: `fraud/${shop}`,
        args: [{ lookbackHours: 24 * 10 }],
      }),
    );
    const expected = [...sb.state.orders.values()]
      .filter((o) => o.risk.recommendation === 'CANCEL')
      .map((o) => Number(o.id.split('/').pop()));
    expect(result.flagged.sort()).toEqual(expected.sort());
    expect(result.flagged.length).toBeGreaterThan(0);
    expect(result.flaggedInDynamo).toBeGreaterThan(0);
    // Both activities page through many orders: each is judged by its heartbeats.
    const history = await t.client.workflow.getHandle(`fraud/${shop}`).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes ?? []);
    expect(scheduled.map((a) => [a.activityType?.name, Number(a.heartbeatTimeout?.seconds ?? 0) > 0])).toEqual([
      ['refreshRisk', true],
      ['flagInDynamo', true],
    ]);
  }, 60_000);
});
