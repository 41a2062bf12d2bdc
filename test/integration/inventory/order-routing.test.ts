import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderReservationsWorkflowId } from '../../../activities/orders/ledger-queue';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { createS3Client } from '../../../lake/s3';
import { newLevel, setQuantity } from '../../../sandbox/shopify/inventory-levels';
import { movedPayload, routingCompletePayload } from '../../../sandbox/shopify/order-payload';
import type { SbOrder } from '../../../sandbox/shopify/state';
import { fulfillmentOrdersOf } from '../../../sandbox/shopify/views';
import { loadConfig } from '../../../workers/config';
import { createDeps, type Deps } from '../../../workers/deps';
import { activitiesFor } from '../../../workers/registry';
import { createWebhookServer } from '../../../workers/webhooks-http';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { eventually, stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';

// Products 9301–9306 are published by no other test file (product-publish/<id> and inventory-sync/<sku> are global).
const FIRST = 9301;
const PRODUCTS = 6;

/**
 * The Shopify operations the routing path reads with (the re-read it replaced: fulfillmentOrderOrder, order and
 * orderLineItems; now fulfillmentOrdersRouting<n> and fulfillmentOrderLineItems), by the sandbox's cost report.
 */
const ROUTING_OPERATION = /^(order|orderLineItems|fulfillmentOrder\w*)$/;

/**
 * A storefront order whose orders/create webhook arrives first (its body carries no fulfillment orders, so the
 * ledger reserves where most stock is) ends with its reservation where Shopify committed the units: the sandbox
 * announces fulfillment_orders/order_routing_complete, the real receiver starts orderRouted, the re-read names the
 * assigned location and the reservation moves there (release + reserve, once).
 */
describe('order routing: a webhook-first reservation moves to the assigned location', () => {
  let t: TemporalHarness;
  let s: StockFixture;
  let deps: Deps;
  let server: http.Server;
  let stop: () => Promise<void>;
  const skus: string[] = [];
  const stores = new Map<string, string>(); // Shopify location id → store code
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const prefix = `or${Date.now() % 100000}_`;

  const level = async (sku: string, code: string) =>
    (await s.reads.levelsOf([sku])).find((l) => l.location === code) ?? { onHand: 0, reserved: 0, availableToSell: 0 };
  const lineOf = async (order: SbOrder) =>
    (
      await s.q<{ location: string; open: number }>(
        'inventory',
        'SELECT location, open FROM reservations WHERE line_key = ?',
        [`shopify:${order.lineItems[0]!.id.split('/').pop()}`],
      )
    )[0];
  const subscribe = (topic: string, uri: string) =>
    s.f.sandbox.state.webhookSubscriptions.set(`gid://shopify/WebhookSubscription/${topic}`, {
      id: `gid://shopify/WebhookSubscription/${topic}`,
      topic,
      uri,
      createdAt: new Date().toISOString(),
    } as never);

  /** Shopify commits the order at `first` (6 available); the ledger counts far more at `second`. */
  async function stockTwoStores(sku: string, tag: string) {
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
            key: `test/routing/${tag}/${sku}/${stores.get(id)}`,
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
    // Nothing at the other mapped stores, in the ledger either: the ledger's "most stock" is `second`.
    const others = locations.filter((id) => id !== first && id !== second);
    if (others.length)
      await s.ledger.applyMovements(
        others.map((id) => ({
          key: `test/routing/${tag}/${sku}/${stores.get(id)}`,
          kind: 'count' as const,
          sku,
          location: stores.get(id)!,
          quantity: 0,
          occurredAt: new Date(Date.now() - 1000).toISOString(),
        })),
        { source: 'test' },
      );
    return { first: stores.get(first)!, second: stores.get(second)! };
  }

  /** Shopify stocks `sku` at the `index`th mapped location only (so a sale commits there); the ledger agrees. */
  async function stockOneStore(sku: string, index: number, tag: string) {
    const locations = [...s.f.sandbox.state.locations.keys()].filter((id) => stores.has(id));
    const at = locations[index]!;
    const item = [...s.f.sandbox.state.inventoryItems.values()].find((i) => i.sku === sku)!;
    for (const [id, lvl] of item.levels) if (id !== at) setQuantity(lvl, 'available', 0);
    const lvl = item.levels.get(at);
    if (lvl) setQuantity(lvl, 'available', 20);
    else item.levels.set(at, newLevel({ onHand: 20 }));
    await s.ledger.applyMovements(
      locations.map((id) => ({
        key: `test/routing/${tag}/${sku}/${stores.get(id)}`,
        kind: 'count' as const,
        sku,
        location: stores.get(id)!,
        quantity: id === at ? 30 : 0,
        occurredAt: new Date(Date.now() - 1000).toISOString(),
      })),
      { source: 'test' },
    );
    return stores.get(at)!;
  }

  /** Requests and points the routing path's operations have cost so far (the sandbox's cost report). */
  async function routingCost() {
    const stats = (await (await fetch(`${s.f.sandbox.url}/_sandbox/stats`)).json()) as {
      costByOperation: Record<string, { requests: number; actual: number }>;
    };
    let requests = 0;
    let points = 0;
    for (const [name, c] of Object.entries(stats.costByOperation))
      if (ROUTING_OPERATION.test(name)) {
        requests += c.requests;
        points += c.actual;
      }
    return { requests, points };
  }

  /**
   * Shopify moves the line's fulfillment order to `to` (fulfillmentOrderMove, which the sandbox does not implement:
   * the test reassigns the line) and announces fulfillment_orders/moved: the whole fulfillment order moved, so the
   * original and the moved one are the same, now at `to`.
   */
  function moveLine(order: SbOrder, toStore: string) {
    const to = [...stores].find(([, code]) => code === toStore)![0];
    const from = order.lineItems[0]!.assignedLocationId!;
    const [before] = fulfillmentOrdersOf(order, s.f.sandbox.state);
    for (const li of order.lineItems) li.assignedLocationId = to;
    const [after] = fulfillmentOrdersOf(order, s.f.sandbox.state);
    expect(after!.id).toBe(before!.id);
    const moved = { id: after!.id, status: after!.status, locationId: to };
    s.f.sandbox.webhooks.emit('FULFILLMENT_ORDERS_MOVED', movedPayload(moved, moved, from));
  }

  beforeAll(async () => {
    t = await temporalHarness('order-routing');
    s = await stockFixture(
      t,
      PRODUCTS,
      { allowHttpLoopbackWebhooks: true, webhookRetryDelaysMs: [200, 500, 1000] },
      { firstId: FIRST },
    );
    const ids = Array.from({ length: PRODUCTS }, (_, i) => FIRST + i);
    await s.publish(ids);
    for (const id of ids)
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
    await ensureTables(dynamo, prefix);
    server = createWebhookServer({
      secret: s.f.sandbox.webhookSecret,
      shop: s.f.sandbox.shop,
      s3,
      archiveBucket: config.aws.buckets.archive,
      dynamo,
      tablePrefix: prefix,
      temporal: t.client,
      taskQueue: t.queue('shopify'),
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    subscribe('ORDERS_CREATE', `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`);
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
    if (server) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    }
    await deps?.close();
    await s?.close();
    await t?.close();
    s3.destroy();
    dynamo.destroy();
  });

  it('moves the reservation of an order whose orders/create webhook came first to where Shopify committed it', async () => {
    const sku = skus[0]!;
    const { first, second } = await stockTwoStores(sku, 'late');
    // Routing is announced later: the order's create webhook is processed alone first.
    const order = s.f.sandbox.storefront.checkout([{ sku, quantity: 2 }])!;
    expect(order.lineItems[0]!.assignedLocationId).toBeDefined();
    expect(stores.get(order.lineItems[0]!.assignedLocationId!)).toBe(first);
    await eventually(async () => (await lineOf(order))?.location === second, 60_000, 200);
    expect((await level(sku, second)).reserved).toBe(2);

    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
    subscribe('FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE', uri);
    for (const fo of fulfillmentOrdersOf(order, s.f.sandbox.state))
      s.f.sandbox.webhooks.emit('FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE', routingCompletePayload(fo));

    await eventually(async () => (await lineOf(order))?.location === first, 60_000, 200);
    expect(await lineOf(order)).toMatchObject({ location: first, open: 2 });
    await eventually(async () => (await level(sku, second)).reserved === 0, 30_000, 200);
    expect((await level(sku, first)).reserved).toBe(2);
    // Applied once: one release and one reserve under the move's keys, whatever the re-reads.
    const moves = await s.q<{ movement_key: string }>(
      'inventory',
      "SELECT movement_key FROM movements WHERE order_line_id = ? AND movement_key LIKE '%/move/%'",
      [order.lineItems[0]!.id.split('/').pop()],
    );
    expect(moves.map((m) => m.movement_key.split('/').slice(-1)[0]).sort()).toEqual(['release', 'reserve']);
  }, 180_000);

  it('ends at the assigned location when both webhooks arrive together, in either order', async () => {
    const sku = skus[1]!;
    const { first } = await stockTwoStores(sku, 'both');
    const order = s.f.sandbox.storefront.checkout([{ sku, quantity: 3 }])!;
    expect(stores.get(order.lineItems[0]!.assignedLocationId!)).toBe(first);
    await eventually(async () => (await lineOf(order))?.location === first, 90_000, 200);
    // Settled: no move back to where most stock is.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await lineOf(order)).toMatchObject({ location: first, open: 3 });
    expect((await level(sku, first)).reserved).toBe(3);
  }, 180_000);
  it('reads an order routed to 3 locations once, for a few points (not the whole order per fulfillment order)', async () => {
    subscribe(
      'FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE',
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`,
    );
    const lines = [skus[2]!, skus[3]!, skus[4]!];
    const at = await Promise.all(lines.map((sku, i) => stockOneStore(sku, i, 'three')));
    expect(new Set(at).size).toBe(3);
    const before = await routingCost();
    const order = s.f.sandbox.storefront.checkout(lines.map((sku, i) => ({ sku, quantity: i + 1 })))!;
    expect(fulfillmentOrdersOf(order, s.f.sandbox.state)).toHaveLength(3);
    const placed = async () => {
      const rows = await s.q<{ line_key: string; location: string }>(
        'inventory',
        'SELECT line_key, location FROM reservations WHERE line_key IN (?)',
        [order.lineItems.map((li) => `shopify:${li.id.split('/').pop()}`)],
      );
      return order.lineItems.map(
        (li) => rows.find((r) => r.line_key === `shopify:${li.id.split('/').pop()}`)?.location,
      );
    };
    await eventually(async () => JSON.stringify(await placed()) === JSON.stringify(at), 90_000, 200);
    // Settled: whatever the routing path still reads has been read.
    await new Promise((r) => setTimeout(r, 4000));
    const after = await routingCost();
    const spent = { requests: after.requests - before.requests, points: after.points - before.points };
    // Per routed order: one request for its 3 fulfillment orders, 8 points each for a 1-line fulfillment order
    // (6 + 2 a line). The whole-order re-read cost 3 lookups and 3 ORDER reads (each ~10 points for 1 line
    // here, about 200 for a 50-line basket).
    console.log(`routing path for an order with 3 fulfillment orders: ${JSON.stringify(spent)}`);
    expect(spent.requests).toBe(1);
    expect(spent.points).toBeLessThanOrEqual(3 * 8);
  }, 180_000);

  it('moves a line back when Shopify moves it A -> B -> A (and on to B again), told by fulfillment_orders/moved', async () => {
    const sku = skus[5]!;
    const { first, second } = await stockTwoStores(sku, 'back');
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
    subscribe('FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE', uri);
    subscribe('FULFILLMENT_ORDERS_MOVED', uri);
    const order = s.f.sandbox.storefront.checkout([{ sku, quantity: 2 }])!;
    await eventually(async () => (await lineOf(order))?.location === first, 90_000, 200);
    const moves = () =>
      s.q<{ movement_key: string }>(
        'inventory',
        'SELECT movement_key FROM movements WHERE order_line_id = ? ORDER BY id',
        [order.lineItems[0]!.id.split('/').pop()],
      );
    for (const [i, to] of [second, first, second, first].entries()) {
      moveLine(order, to);
      await eventually(async () => (await lineOf(order))?.location === to, 60_000, 200).catch(async (e: Error) => {
        const keys = (await moves()).map((m) => m.movement_key.split('/line/')[1]);
        throw new Error(`move ${i + 1} to ${to}: ${e.message}; movements ${JSON.stringify(keys)}`);
      });
      expect(await lineOf(order)).toMatchObject({ location: to, open: 2 });
    }
    await eventually(async () => (await level(sku, second)).reserved === 0, 30_000, 200);
    expect((await level(sku, first)).reserved).toBe(2);
  }, 240_000);
});
