import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderReservationsWorkflowId } from '../../../activities/orders/ledger-queue';
import { createPool } from '../../../db/client';
import { newLevel, setQuantity } from '../../../sandbox/shopify/inventory-levels';
import { restPayload } from '../../../sandbox/shopify/storefront';
import type { SbOrder } from '../../../sandbox/shopify/state';
import { loadConfig } from '../../../workers/config';
import { createDeps, type Deps } from '../../../workers/deps';
import { activitiesFor } from '../../../workers/registry';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { eventually, stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';

// Products 237 and 238 are published by no other test file (product-publish/<id> and inventory-sync/<sku> are global).
const FIRST = 237;

/**
 * Shopify orders → ledger on the production wiring (workers/registry.ts activities, the orderUpsert workflow as the
 * webhook receiver starts it): the webhook's write does not wait for the ledger; a refund moves stock by Shopify's
 * restock type; an order read from Shopify reserves at its fulfillment order's assigned location.
 */
describe('order stock: off the webhook path, by restock type, at the assigned location', () => {
  let t: TemporalHarness;
  let s: StockFixture;
  let deps: Deps;
  let stop: () => Promise<void>;
  let orders: ReturnType<typeof createPool>;
  const skus: string[] = [];
  const stores = new Map<string, string>(); // Shopify location id → store code
  const config = loadConfig();

  const onHandEverywhere = async (sku: string) => (await s.reads.levelsOf([sku])).reduce((n, l) => n + l.onHand, 0);
  const level = async (sku: string, code: string) =>
    (await s.reads.levelsOf([sku])).find((l) => l.location === code) ?? { onHand: 0, reserved: 0, availableToSell: 0 };
  const reservations = (sku: string) =>
    s.q<{ line_key: string; location: string; open: number }>(
      'inventory',
      'SELECT line_key, location, open FROM reservations WHERE sku = ?',
      [sku],
    );
  const movements = (sku: string) =>
    s.q<{ key: string; kind: string; quantity: number }>(
      'inventory',
      'SELECT movement_key AS `key`, kind, quantity FROM movements WHERE sku = ? ORDER BY id',
      [sku],
    );
  const queued = async () =>
    Number((await orders.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM ledger_queue'))[0][0]!.n);

  /** What the receiver does with a delivery: archive the body, signalWithStart the order's workflow. */
  async function deliver(order: SbOrder, topic: 'orders/create' | 'orders/updated') {
    const body = restPayload(order, s.f.sandbox.state);
    const archiveKey = `webhooks/shopify/${topic.replace('/', '_')}/dt=test/${randomUUID()}.json`;
    await deps.s3.send(
      new PutObjectCommand({ Bucket: config.aws.buckets.archive, Key: archiveKey, Body: JSON.stringify(body) }),
    );
    const handle = await t.client.workflow.signalWithStart('orderUpsert', {
      workflowId: `order/${s.f.sandbox.shop}/${order.id.split('/').pop()}-${randomUUID().slice(0, 6)}`,
      taskQueue: t.queue('shopify'),
      args: [{ shop: s.f.sandbox.shop, orderGid: order.id }],
      signal: 'orderChanged',
      signalArgs: [{ topic, archiveKey, updatedAt: order.updatedAt }],
    });
    return handle;
  }
  /** An order read from Shopify (a re-read, the CLI's resync): orderUpsert started without a delivery. */
  async function reread(order: SbOrder) {
    const handle = await t.client.workflow.start('orderUpsert', {
      workflowId: `order/${s.f.sandbox.shop}/${order.id.split('/').pop()}-read-${randomUUID().slice(0, 6)}`,
      taskQueue: t.queue('shopify'),
      args: [{ shop: s.f.sandbox.shop, orderGid: order.id }],
    });
    return handle.result();
  }

  beforeAll(async () => {
    t = await temporalHarness('order-stock');
    s = await stockFixture(t, 2, undefined, { firstId: FIRST });
    await s.publish([237, 238]);
    for (const id of [237, 238])
      skus.push(
        (
          await s.q<{ sku: string }>('pim', 'SELECT sku FROM variants WHERE product_id = ? ORDER BY sku LIMIT 1', [id])
        )[0]!.sku,
      );
    for (const m of await s.q<{ store_code: string; shopify_location_id: string }>(
      'pim',
      'SELECT store_code, shopify_location_id FROM location_mappings WHERE active = TRUE',
    ))
      stores.set(m.shopify_location_id, m.store_code);
    deps = createDeps(
      loadConfig({
        ...process.env,
        PIM_DATABASE_URL: s.f.urls.pim,
        STORE_DATABASE_URL: s.f.urls.store,
        ORDERS_DATABASE_URL: s.f.urls.orders,
        INVENTORY_DATABASE_URL: s.f.urls.inventory,
        CHANNELS_DATABASE_URL: s.f.urls.channels,
        EXTRACTION_DATABASE_URL: s.f.urls.extraction,
        SHOPIFY_SHOP: s.f.sandbox.shop,
        SHOPIFY_ACCESS_TOKEN: s.f.sandbox.accessToken,
        SHOPIFY_ADMIN_URL: s.f.sandbox.adminGraphqlUrl,
      }),
    );
    orders = createPool(s.f.urls.orders);
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const running = t.withWorkers(
      { shopify: activitiesFor('shopify', deps), data: activitiesFor('data', deps) },
      () => done,
    );
    stop = async () => {
      release();
      await running;
    };
  }, 300_000);
  afterAll(async () => {
    await stop?.();
    if (s)
      await t.client.workflow
        .getHandle(orderReservationsWorkflowId(s.f.sandbox.shop, t.queue('data')))
        .terminate('test over')
        .catch(() => undefined);
    await orders?.end();
    await deps?.close();
    await s?.close();
    await t?.close();
  });

  it("stores the webhook's order while the ledger is locked, and reserves once the lock is gone", async () => {
    const sku = skus[0]!;
    const code = [...stores.values()][0]!;
    await s.ledger.applyMovements(
      [
        {
          key: `test/count/${sku}/${code}`,
          kind: 'count',
          sku,
          location: code,
          quantity: 40,
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
        },
      ],
      { source: 'test' },
    );
    const order = s.f.sandbox.storefront.placeOrder({ items: [{ sku, quantity: 3 }], refundRate: 0, highRiskRate: 0 });
    const lock = await createPool(s.f.urls.inventory).getConnection();
    await lock.query('LOCK TABLES stock_levels WRITE, movements WRITE, reservations WRITE');
    try {
      const started = Date.now();
      const handle = await deliver(order, 'orders/create');
      // The order workflow finishes without the ledger: the write queued the stock with the order.
      await Promise.race([
        handle.result(),
        new Promise((_, no) => setTimeout(() => no(new Error('orderUpsert waited for the ledger')), 10_000)),
      ]);
      expect(Date.now() - started).toBeLessThan(10_000);
      const [[row]] = await orders.query<RowDataPacket[]>('SELECT id FROM orders WHERE id = ?', [
        Number(order.id.split('/').pop()),
      ]);
      expect(row).toBeDefined();
    } finally {
      await lock.query('UNLOCK TABLES');
      lock.release();
    }
    await eventually(async () => (await reservations(sku)).length === 1, 60_000, 200);
    expect((await reservations(sku))[0]!.open).toBe(3);
    await eventually(async () => (await queued()) === 0, 30_000, 200);
  }, 120_000);

  // RefundLineItemRestockType (admin 2026-10): NO_RESTOCK "Refund line item was not restocked"; CANCEL "Use this when
  // restocking unfulfilled line items"; RETURN "Use this when restocking line items that were fulfilled". The REST
  // refund line (webhook body) carries it as restock_type: no_restock, cancel, return or legacy_restock.
  it('releases stock for a refund only by its restock type: no_restock releases nothing, cancel releases, return puts back', async () => {
    const sku = skus[1]!;
    const order = s.f.sandbox.storefront.placeOrder({ items: [{ sku, quantity: 4 }], refundRate: 0, highRiskRate: 0 });
    await (await deliver(order, 'orders/create')).result();
    // A webhook-first order reserves at the mapped store with the most stock (the store pickup's counts decide).
    const [reservation] = await eventually(
      async () => {
        const r = await reservations(sku);
        return r.length === 1 && Number(r[0]!.open) === 4 && r;
      },
      60_000,
      200,
    );
    const code = reservation!.location;
    await eventually(async () => (await level(sku, code)).reserved === 4, 60_000, 200);
    const before = await level(sku, code);
    const shelf = await onHandEverywhere(sku);

    // Damaged: refunded without restock. Nothing comes back to sale.
    s.f.sandbox.storefront.refund(order.id, 'Damaged', { quantity: 1, restockType: 'NO_RESTOCK' });
    await (await deliver(order, 'orders/updated')).result();
    await eventually(async () => (await queued()) === 0, 30_000, 200);
    expect(await level(sku, code)).toMatchObject({
      reserved: 4,
      onHand: before.onHand,
      availableToSell: before.availableToSell,
    });
    // The webhook body says so as Shopify's REST refund line does.
    expect(restPayload(order, s.f.sandbox.state).refunds.at(-1)!.refund_line_items[0]).toMatchObject({
      restock_type: 'no_restock',
      location_id: null,
    });

    // Cancelled before fulfilment, restocked: the unit is released.
    s.f.sandbox.storefront.refund(order.id, 'Out of stock at picking', { quantity: 1, restockType: 'CANCEL' });
    await (await deliver(order, 'orders/updated')).result();
    await eventually(async () => (await level(sku, code)).reserved === 3, 30_000, 200);
    expect((await level(sku, code)).availableToSell).toBe(before.availableToSell + 1);

    // Fulfilled: the 3 units still reserved leave the shelf (the unrestocked one with them).
    s.f.sandbox.storefront.updateOrder(order.id, { fulfillmentStatus: 'FULFILLED' });
    await (await deliver(order, 'orders/updated')).result();
    await eventually(async () => (await level(sku, code)).reserved === 0, 30_000, 200);
    expect((await level(sku, code)).onHand).toBe(before.onHand - 3);

    // Returned after fulfilment and restocked: back on the shelf where Shopify restocked it.
    s.f.sandbox.storefront.refund(order.id, 'Customer return', { quantity: 1 });
    expect(restPayload(order, s.f.sandbox.state).refunds.at(-1)!.refund_line_items[0]!.restock_type).toBe('return');
    await (await deliver(order, 'orders/updated')).result();
    await eventually(async () => (await onHandEverywhere(sku)) === shelf - 2, 30_000, 200);
    const kinds = (await movements(sku))
      .filter((m) => m.key.includes('/line/'))
      .map((m) => m.key.split('/line/')[1]!.replace(/^\d+\//, ''));
    expect(kinds).toEqual(expect.arrayContaining(['reserve', 'fulfil']));
    expect(kinds.some((k) => k.startsWith('release/refund/'))).toBe(true);
    expect(kinds.some((k) => k.startsWith('return/refund/'))).toBe(true);
    expect(kinds.filter((k) => k.startsWith('release/refund/'))).toHaveLength(1);
  }, 180_000);

  // FulfillmentOrder.assignedLocation (admin 2026-10): "The fulfillment order's assigned location. This is the location
  // where the fulfillment is expected to happen."; Order.fulfillmentOrders: "Each fulfillment order groups line items
  // that are fulfilled together".
  /** An order the shop routes to its first location that can fill it, while the ledger has far more at another. */
  async function routedOrder(sku: string, tag: string) {
    const locations = [...s.f.sandbox.state.locations.keys()].filter((id) => stores.has(id));
    expect(locations.length).toBeGreaterThanOrEqual(2);
    const [first, second] = [locations[0]!, locations[1]!];
    const item = [...s.f.sandbox.state.inventoryItems.values()].find((i) => i.sku === sku)!;
    for (const [id, lvl] of item.levels) if (id !== first && id !== second) setQuantity(lvl, 'available', 0);
    for (const [id, qty] of [
      [first, 6],
      [second, 80],
    ] as const) {
      const lvl = item.levels.get(id);
      if (lvl) setQuantity(lvl, 'available', qty);
      else item.levels.set(id, newLevel({ onHand: qty }));
      await s.ledger.applyMovements(
        [
          {
            key: `test/${tag}/${sku}/${stores.get(id)}`,
            kind: 'count',
            sku,
            location: stores.get(id)!,
            quantity: qty + 10,
            occurredAt: new Date(Date.now() - 1000).toISOString(),
          },
        ],
        { source: 'test' },
      );
    }
    const order = s.f.sandbox.storefront.checkout([{ sku, quantity: 2 }])!;
    expect(order.lineItems[0]!.assignedLocationId).toBe(first);
    return { order, first, line: `shopify:${order.lineItems[0]!.id.split('/').pop()}` };
  }

  it("reserves an order read from Shopify at its fulfillment order's assigned location, not where most stock is", async () => {
    const sku = skus[0]!;
    const { order, first, line } = await routedOrder(sku, 'count2');
    await reread(order);
    await eventually(async () => (await reservations(sku)).some((r) => r.line_key === line), 60_000, 200);
    expect((await reservations(sku)).find((r) => r.line_key === line)!.location).toBe(stores.get(first));
  }, 120_000);

  it('reserves an order from the incremental ingest at its assigned location too (fulfillment orders read apart)', async () => {
    const sku = skus[1]!;
    const { order, first, line } = await routedOrder(sku, 'count3');
    // The scheduled ingest's path: an orders page, then its orders' fulfillment orders in a request of their own.
    const from = new Date(Date.parse(order.updatedAt) - 60_000).toISOString();
    await t.client.workflow.execute('ordersIngest', {
      workflowId: `orders-ingest-test-${randomUUID().slice(0, 8)}`,
      taskQueue: t.queue('shopify'),
      args: [{ window: { from, to: new Date(Date.now() + 60_000).toISOString() } }],
    });
    await eventually(async () => (await reservations(sku)).some((r) => r.line_key === line), 60_000, 200);
    expect((await reservations(sku)).find((r) => r.line_key === line)!.location).toBe(stores.get(first));
  }, 120_000);
});
