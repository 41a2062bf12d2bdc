import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderReservations } from '../../../activities/inventory/order-reservations';
import { createStockPushActivities } from '../../../activities/inventory/stock-push';
import {
  createLedgerQueueActivities,
  createStockQueueNudge,
  orderReservationsWorkflowId,
} from '../../../activities/orders/ledger-queue';
import { createOrderActivities } from '../../../activities/orders/orders';
import { createOrderWebhookActivities } from '../../../activities/orders/orders-webhook';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { createPool, ordersDb } from '../../../db/client';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { createS3Client } from '../../../lake/s3';
import { stockPickup } from '../../../workflows/inventory/stock-pickup';
import { loadConfig } from '../../../workers/config';
import { createWebhookServer } from '../../../workers/webhooks-http';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { eventually, stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';

// Product 221 is published by no other test file (workflow ids are shared on the Temporal server).
const PRODUCT = 221;
const S = 20;

// #12 "Zero oversell, proven": stock S at one location; storefront orders (through Shopify's webhooks) and POS
// sales (through the store DB) arrive at once for more than S units.
describe('zero oversell: concurrent storefront orders and POS sales on one SKU', () => {
  let t: TemporalHarness;
  let s: StockFixture;
  let server: http.Server;
  let stop: (() => Promise<void>) | undefined;
  let sku: string;
  let rereadOrder: (gid: string) => Promise<unknown>;
  let queueDrained: () => Promise<boolean>;
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const prefix = `zo${Date.now() % 100000}_`;

  beforeAll(async () => {
    t = await temporalHarness('zero-oversell');
    s = await stockFixture(t, PRODUCT, { allowHttpLoopbackWebhooks: true, webhookRetryDelaysMs: [200, 500, 1000] });
    await s.publish([PRODUCT]);
    sku = (
      await s.q<{ sku: string }>('pim', 'SELECT sku FROM variants WHERE product_id = ? ORDER BY sku', [PRODUCT])
    )[0]!.sku;
    // The store's count: S at Carlton, nothing elsewhere.
    await s.q('store', 'UPDATE stock SET on_hand = IF(store_code = ?, ?, 0) WHERE sku = ?', ['C', S, sku]);
    await s.q('store', 'INSERT IGNORE INTO stock (store_code, sku, on_hand) VALUES (?, ?, ?)', ['C', sku, S]);

    await ensureTables(dynamo, prefix);
    const shop = s.f.sandbox.shop;
    server = createWebhookServer({
      secret: s.f.sandbox.webhookSecret,
      shop,
      s3,
      archiveBucket: config.aws.buckets.archive,
      dynamo,
      tablePrefix: prefix,
      temporal: t.client,
      taskQueue: t.queue('shopify'),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
    s.f.sandbox.state.webhookSubscriptions.set('gid://shopify/WebhookSubscription/1', {
      id: 'gid://shopify/WebhookSubscription/1',
      topic: 'ORDERS_CREATE',
      uri,
      createdAt: new Date().toISOString(),
    } as never);

    const ordersPool = createPool(s.f.urls.orders);
    const orders = ordersDb(ordersPool);
    const push = createStockPushActivities({ ...s.pools, shopify: s.f.shopify, reads: s.reads });
    const reserve = createOrderReservations({
      ...s.pools,
      ledger: s.ledger,
      reads: s.reads,
      publishedSkus: push.publishedSkus,
      temporal: async () => t.client,
    });
    // Production's wiring: order writes queue their stock and nudge orderReservations, which applies it.
    const nudgeStock = createStockQueueNudge({ temporal: async () => t.client, shop });
    queueDrained = async () =>
      Number((await ordersPool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM ledger_queue'))[0][0]!.n) === 0;
    const orderActivities = createOrderActivities({ orders, shopify: s.f.shopify, shop, nudgeStock });
    rereadOrder = (gid) =>
      new MockActivityEnvironment({ taskQueue: t.queue('shopify') }).run(orderActivities.upsertOrderById, gid);
    const activities = {
      shopify: {
        ...s.activities.shopify,
        ...withTemporalFailures(createOrderActivities({ orders, shopify: s.f.shopify, shop, nudgeStock })),
      },
      data: {
        ...s.activities.data,
        ...withTemporalFailures({
          ...createOrderWebhookActivities({ orders, s3, archiveBucket: config.aws.buckets.archive, shop, nudgeStock }),
          ...createLedgerQueueActivities({ orders: ordersPool, reserve }),
        }),
      },
    };
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const running = t.withWorkers(activities, async () => {
      await t.client.workflow.start(stockPickup, {
        taskQueue: t.queue('data'),
        workflowId: `inventory-pickup/${t.queue('data')}`,
        args: [{ pollMs: 100, runForMs: 5_000 }],
      });
      await done;
      await t.client.workflow.getHandle(`inventory-pickup/${t.queue('data')}`).terminate('test over');
      await t.client.workflow
        .getHandle(orderReservationsWorkflowId(shop, t.queue('data')))
        .terminate('test over')
        .catch(() => undefined);
    });
    stop = async () => {
      release();
      await running;
      await ordersPool.end();
    };
    // The ledger has the count and Shopify offers it.
    await eventually(
      async () => {
        const shop = (await s.shopLevels()).find((l) => l.sku === sku && l.location === 'C');
        return shop?.available === S;
      },
      120_000,
      200,
    );
  }, 300_000);
  afterAll(async () => {
    await stop?.();
    server?.closeAllConnections();
    server?.close();
    s3.destroy();
    dynamo.destroy();
    await s?.close();
    await t?.close();
  });

  it('accepts online no more than offered; reservations = accepted lines; POS sales of reserved units are incidents', async () => {
    const [row] = await s.q<{ m: number }>('store', 'SELECT COALESCE(MAX(id), 0) AS m FROM pos_sales');
    let saleId = Number(row!.m) + 1;
    const accepted: { orderId: string; lineId: string; quantity: number }[] = [];
    let refused = 0;
    const online = (async () => {
      for (let i = 0; i < 15; i++) {
        const order = s.f.sandbox.storefront.checkout([{ sku, quantity: 2 }]);
        if (order) accepted.push({ orderId: order.id, lineId: order.lineItems[0]!.id, quantity: 2 });
        else refused++;
        await new Promise((r) => setTimeout(r, 60));
      }
    })();
    const pos = (async () => {
      for (let i = 0; i < 8; i++) {
        await s.q(
          'store',
          'INSERT INTO pos_sales (id, store_code, sku, quantity, amount, sold_at) VALUES (?, ?, ?, 1, ?, ?)',
          [saleId++, 'C', sku, '1.00', new Date()],
        );
        await new Promise((r) => setTimeout(r, 90));
      }
    })();
    await Promise.all([online, pos]);
    const acceptedUnits = accepted.reduce((n, a) => n + a.quantity, 0);
    // More was asked for than there was: some checkouts were refused, and what was accepted fit the offer.
    expect(refused).toBeGreaterThan(0);
    expect(acceptedUnits).toBeLessThanOrEqual(S);

    // Every accepted order reaches the ledger (webhook → order workflow → reservation) exactly once.
    const numeric = (gid: string) => gid.split('/').pop()!;
    await eventually(
      async () => {
        const lines = await s.q<{ line_key: string }>('inventory', 'SELECT line_key FROM reservations WHERE sku = ?', [
          sku,
        ]);
        return lines.length === accepted.length;
      },
      60_000,
      200,
    );
    const reservations = await s.q<{ line_key: string; open: number; order_id: string; location: string }>(
      'inventory',
      'SELECT * FROM reservations WHERE sku = ? ORDER BY line_key',
      [sku],
    );
    expect(reservations.map((r) => r.line_key).sort()).toEqual(
      accepted.map((a) => `shopify:${numeric(a.lineId)}`).sort(),
    );
    expect(reservations.every((r) => r.open === 2 && r.location === 'C')).toBe(true);
    const [level] = (await s.reads.levelsOf([sku])).filter((l) => l.location === 'C');
    await eventually(
      async () => {
        const [l] = (await s.reads.levelsOf([sku])).filter((x) => x.location === 'C');
        return l!.onHand === S - 8;
      },
      30_000,
      200,
    );
    expect(level!.reserved).toBe(acceptedUnits);

    // Units sold in store that online orders held are incidents naming those orders; together they cover the gap.
    const [after] = (await s.reads.levelsOf([sku])).filter((l) => l.location === 'C');
    const incidents = await s.q<{ units: number; order_ids: string[] | string; kind: string }>(
      'inventory',
      'SELECT * FROM stock_incidents WHERE sku = ?',
      [sku],
    );
    const gap = Math.max(0, after!.reserved - after!.onHand);
    expect(incidents.reduce((n, i) => n + i.units, 0)).toBe(gap);
    const acceptedOrders = new Set(accepted.map((a) => numeric(a.orderId)));
    for (const i of incidents) {
      const ids = typeof i.order_ids === 'string' ? (JSON.parse(i.order_ids) as string[]) : i.order_ids;
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(acceptedOrders.has(id)).toBe(true);
    }
    // The ingest path re-reads every order: nothing is reserved twice.
    const movementsBefore = (await s.q('inventory', 'SELECT id FROM movements WHERE sku = ?', [sku])).length;
    for (const a of accepted) await rereadOrder(a.orderId);
    // The re-reads queued each order again; once orderReservations has applied them, nothing has moved.
    await eventually(queueDrained, 30_000, 200);
    expect((await s.q('inventory', 'SELECT id FROM movements WHERE sku = ?', [sku])).length).toBe(movementsBefore);
    expect((await s.reads.levelsOf([sku])).find((l) => l.location === 'C')!.reserved).toBe(acceptedUnits);
    // Shopify ends offering what the ledger can sell, with its committed units counted once.
    await eventually(
      async () => {
        const shop = (await s.shopLevels()).find((l) => l.sku === sku && l.location === 'C');
        return shop && shop.available === after!.availableToSell && (shop.committed ?? 0) === acceptedUnits;
      },
      30_000,
      200,
    );
  }, 180_000);
});
