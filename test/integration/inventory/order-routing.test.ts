import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderReservationsWorkflowId } from '../../../activities/orders/ledger-queue';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { createS3Client } from '../../../lake/s3';
import { newLevel, setQuantity } from '../../../sandbox/shopify/inventory-levels';
import { routingCompletePayload } from '../../../sandbox/shopify/order-payload';
import type { SbOrder } from '../../../sandbox/shopify/state';
import { fulfillmentOrdersOf } from '../../../sandbox/shopify/views';
import { loadConfig } from '../../../workers/config';
import { createDeps, type Deps } from '../../../workers/deps';
import { activitiesFor } from '../../../workers/registry';
import { createWebhookServer } from '../../../workers/webhooks-http';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { eventually, stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';

// Products 9301–9302 are published by no other test file (product-publish/<id> and inventory-sync/<sku> are global).
const FIRST = 9301;

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

  beforeAll(async () => {
    t = await temporalHarness('order-routing');
    s = await stockFixture(
      t,
      2,
      { allowHttpLoopbackWebhooks: true, webhookRetryDelaysMs: [200, 500, 1000] },
      { firstId: FIRST },
    );
    await s.publish([FIRST, FIRST + 1]);
    for (const id of [FIRST, FIRST + 1])
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
});
