import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFraudActivities } from '../../../activities/orders/fraud';
import { createOrderActivities } from '../../../activities/orders/orders';
import { createOrdersBulkActivities } from '../../../activities/orders/orders-bulk';
import { createOrdersLakeActivities } from '../../../activities/orders/orders-lake';
import { upsertOrder } from '../../../activities/orders/orders-store';
import { createOrderWebhookActivities } from '../../../activities/orders/orders-webhook';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { ShopifyClient, syncWebhookSubscriptions } from '../../../connectors/shopify';
import { createPool, ordersDb, type OrdersDb } from '../../../db/client';
import { mysqlLakeLock } from '../../../lake/lake-lock';
import { toOrderRows } from '../../../domain/orders/orders';
import { restOrderToGql } from '../../../domain/orders/orders-rest';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { createS3Client } from '../../../lake/s3';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { orderPayload, riskPayload } from '../../../sandbox/shopify/order-payload';
import { riskFor } from '../../../sandbox/shopify/storefront-data';
import type { SbOrder } from '../../../sandbox/shopify/state';
import { loadConfig } from '../../../workers/config';
import { createWebhookServer } from '../../../workers/webhooks-http';
import { fraudIndicators, ordersBackfill, ordersIngest } from '../../../workflows';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const LINES = 120;
const REFUND_LINES = 12;
const num = (gid: string) => Number(gid.split('/').pop());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A grocery basket of 120 lines with a refund of 12 lines must reach the orders database whole by every path
 * (webhook body, incremental ingest, bulk history), and stay whole when its risk is re-read. Before the fix
 * the GraphQL reads asked for 10 lines and 5 refund lines and never followed pageInfo, and the bulk query
 * had no refund lines at all.
 */
describe('orders arrive complete (120 lines, a 12-line refund)', () => {
  const config = loadConfig();
  let t: TemporalHarness;
  let sb: ShopifySandbox;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let pool: ReturnType<typeof createPool>;
  let db: OrdersDb;
  let shopifyActs: Record<string, (...a: never[]) => unknown>;
  let dataActs: Record<string, (...a: never[]) => unknown>;
  let server: http.Server;
  let hookUrl: string;
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const shop = `complete-${randomUUID().slice(0, 6)}.myshopify.com`;
  const tablePrefix = `${config.aws.tablePrefix}${shop.slice(0, 15)}-`;

  beforeAll(async () => {
    t = await temporalHarness('orders-complete');
    sb = await startShopifySandbox({
      plan: 'plus',
      shop,
      webhookRetryDelaysMs: [100, 200],
      bulkRowsPerSecond: 50_000,
      allowHttpLoopbackWebhooks: true, // the receiver listens on plain http on 127.0.0.1
    });
    dbs = await freshDatabases();
    pool = createPool(dbs.orders);
    db = ordersDb(pool);
    const shopify = new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
    shopifyActs = withTemporalFailures({
      ...createOrderActivities({ orders: db, shopify, shop }),
      ...createOrdersBulkActivities({ orders: db, shopify, shop }),
      ...createFraudActivities({ orders: db, shopify }),
    });
    dataActs = withTemporalFailures({
      ...createOrdersLakeActivities({
        orders: db,
        lake: {
          s3,
          bucket: config.aws.buckets.lake,
          quarantineBucket: config.aws.buckets.quarantine,
          lock: mysqlLakeLock(pool),
        },
        dynamo,
        tablePrefix,
      }),
      ...createOrderWebhookActivities({ orders: db, s3, archiveBucket: config.aws.buckets.archive, shop }),
    });
    await ensureTables(dynamo, tablePrefix);
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
    server?.close();
    await sb?.close();
    await pool?.end();
    await dbs?.drop();
    await t?.close();
    s3.destroy();
    dynamo.destroy();
  });

  /** Row counts of one order's children in MySQL. */
  const counts = async (o: SbOrder) => {
    const id = num(o.id);
    const [[row]] = (await pool.query(
      `SELECT (SELECT count(*) FROM line_items WHERE order_id = ?) AS nLines,
              (SELECT count(*) FROM refunds WHERE order_id = ?) AS nRefunds,
              (SELECT count(*) FROM refund_line_items rl JOIN refunds r ON r.id = rl.refund_id WHERE r.order_id = ?) AS nRefundLines`,
      [id, id, id],
    )) as unknown as [{ nLines: number; nRefunds: number; nRefundLines: number }[]];
    return { lines: Number(row!.nLines), refunds: Number(row!.nRefunds), refundLines: Number(row!.nRefundLines) };
  };
  const whole = { lines: LINES, refunds: 1, refundLines: REFUND_LINES };
  const wipe = async () => {
    for (const table of ['refund_line_items', 'refunds', 'line_items', 'tax_lines', 'risk_assessments', 'orders'])
      await db.execute(sql.raw(`DELETE FROM ${table}`));
  };
  const basket = (createdAgoMs = 0) => {
    const o = sb.storefront.placeOrder({ lines: LINES, refundRate: 1, refundLines: REFUND_LINES, highRiskRate: 0 });
    if (createdAgoMs) o.createdAt = o.updatedAt = o.processedAt = new Date(Date.now() - createdAgoMs).toISOString();
    return o;
  };
  const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  it('the sandbox order and its webhook body carry every line and refund line', () => {
    const o = basket();
    expect(o.lineItems.length).toBe(LINES);
    expect(o.refunds[0]!.lineItems.length).toBe(REFUND_LINES);
    const body = orderPayload(o, sb.state);
    expect(body.line_items.length).toBe(LINES);
    expect(body.refunds[0]!.refund_line_items.length).toBe(REFUND_LINES);
  });

  it('through the webhook, then a risk re-read (webhook and fraud refresh): 120 lines stay 120', async () => {
    await wipe();
    await syncWebhookSubscriptions(
      new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl }),
      hookUrl,
      ['ORDERS_CREATE', 'ORDERS_UPDATED', 'ORDERS_RISK_ASSESSMENT_CHANGED'],
    );
    await t.withWorkers({ shopify: shopifyActs, data: dataActs }, async () => {
      const o = basket();
      await until('the webhook upsert', async () => (await counts(o)).lines > 0);
      await sb.webhooks.drain();
      expect(await counts(o)).toEqual(whole);

      // A new verdict announced on its own topic only: the order workflow re-reads the order from Shopify
      // (Order.risk is not in the REST body), and that read alone decides what is stored.
      o.risk = riskFor('HIGH');
      o.updatedAt = new Date().toISOString();
      sb.webhooks.emit('ORDERS_RISK_ASSESSMENT_CHANGED', riskPayload(o));
      await until('the risk re-read', async () => {
        const [[r]] = (await pool.query('SELECT risk_level AS level FROM orders WHERE id = ?', [
          num(o.id),
        ])) as unknown as [{ level: string | null }[]];
        return r?.level === 'HIGH';
      });
      await sb.webhooks.drain();
      await sleep(500); // let a re-read that is still running finish before counting
      expect(await counts(o)).toEqual(whole);

      await t.client.workflow.execute(fraudIndicators, {
        taskQueue: t.queue('shopify'),
        workflowId: `fraud/${shop}/${randomUUID()}`,
        args: [{ lookbackHours: 1 }],
      });
      expect(await counts(o)).toEqual(whole);
    });
    await syncWebhookSubscriptions(
      new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl }),
      hookUrl,
      [],
    );
  }, 90_000);

  it('through the incremental ingest: 120 lines and the 12 refund lines', async () => {
    await wipe();
    const o = basket();
    await t.withWorkers({ shopify: shopifyActs }, () =>
      t.client.workflow.execute(ordersIngest, {
        taskQueue: t.queue('shopify'),
        workflowId: `orders-ingest/${shop}/${randomUUID()}`,
        args: [
          { shop, window: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() } },
        ],
      }),
    );
    expect(await counts(o)).toEqual(whole);
  }, 90_000);

  it('through the bulk history: 120 lines and the 12 refund lines (refund lines are not in the bulk JSONL)', async () => {
    await wipe();
    const o = basket(90 * 86_400_000); // history older than 60 days
    const from = new Date(Date.now() - 91 * 86_400_000).toISOString();
    const to = new Date(Date.now() - 89 * 86_400_000).toISOString();
    const result = await t.withWorkers({ shopify: shopifyActs }, () =>
      t.client.workflow.execute(ordersBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `orders-backfill/${shop}/${randomUUID()}`,
        args: [{ from, to }],
      }),
    );
    expect(result.orders).toBe(1);
    expect(await counts(o)).toEqual(whole);
  }, 90_000);

  it('a newer but partial source never replaces a complete set of child rows', async () => {
    const o = [...sb.state.orders.values()].find((x) => x.lineItems.length === LINES)!;
    await wipe();
    const full = toOrderRows(restOrderToGql(JSON.parse(JSON.stringify(orderPayload(o, sb.state)))), shop);
    await upsertOrder(db, full);
    expect(await counts(o)).toEqual(whole);
    // A read that got only the first 10 lines and no refund lines, of a newer version of the order.
    const gql = restOrderToGql(JSON.parse(JSON.stringify(orderPayload(o, sb.state))));
    const partial = toOrderRows(
      {
        ...gql,
        updatedAt: new Date(Date.parse(o.updatedAt) + 60_000).toISOString(),
        lineItems: {
          nodes: (gql.lineItems as unknown[]).slice(0, 10) as never,
          pageInfo: { hasNextPage: true, endCursor: 'x' },
        } as never,
        refunds: gql.refunds!.map((r) => ({
          ...r,
          refundLineItems: { nodes: r.refundLineItems!.nodes.slice(0, 5), pageInfo: { hasNextPage: true } } as never,
        })),
      },
      shop,
    );
    expect(await upsertOrder(db, partial)).toBe('updated');
    expect(await counts(o)).toEqual(whole);
  });
});
