import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { movedPayload } from '../../../sandbox/shopify/order-payload';
import { activate, rawAdmin } from '../../support/sandbox-client';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver that answers 500 to the first `failures` deliveries, then 200. */
async function receiver(failures = 0) {
  const got: Delivery[] = [];
  const failed: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const d = { headers: req.headers, body };
      if (failed.length < failures) {
        failed.push(d);
        res.writeHead(500).end();
      } else {
        got.push(d);
        res.writeHead(200).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return { got, failed, uri, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('sandbox: webhooks, storefront and inspection API', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  const subscribe = (topic: string, uri: string) =>
    gql(
      `mutation($t: WebhookSubscriptionTopic!, $u: String!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: { uri: $u }) { webhookSubscription { id } userErrors { message } } }`,
      { t: topic, u: uri },
    );
  const inspect = async (path: string, body?: unknown) =>
    (
      await fetch(`${sb.url}/_sandbox${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })
    ).json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    sb = await startShopifySandbox({ webhookRetryDelaysMs: [20, 20, 20], allowHttpLoopbackWebhooks: true });
    gql = rawAdmin(sb);
  });
  afterAll(() => sb.close());

  it('retries a failed delivery with the same webhook id and event id, each attempt signed', async () => {
    const r = await receiver(2);
    await subscribe('ORDERS_CREATE', r.uri);
    const order = sb.storefront.placeOrder({ highRiskRate: 0 });
    await sb.webhooks.drain();
    await r.close();
    expect(r.failed).toHaveLength(2);
    expect(r.got).toHaveLength(1);
    const all = [...r.failed, ...r.got];
    expect(new Set(all.map((d) => d.headers['x-shopify-webhook-id'])).size).toBe(1);
    expect(new Set(all.map((d) => d.headers['x-shopify-event-id'])).size).toBe(1);
    for (const d of all)
      expect(d.headers['x-shopify-hmac-sha256']).toBe(
        createHmac('sha256', sb.webhookSecret).update(d.body, 'utf8').digest('base64'),
      );
    const payload = JSON.parse(r.got[0]!.body);
    expect(payload).toMatchObject({ id: Number(order.id.split('/').pop()), admin_graphql_api_id: order.id });
    expect(payload.updated_at).toBe(order.updatedAt);
  });

  // WebhookSubscriptionTopic FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE (admin 2026-10): "Occurs when an order has finished
  // being routed and it's fulfillment orders assigned to a fulfillment service's location." Its body holds only the
  // fulfillment order's id and status (Shopify community, "What is the recommended way to fetch newly created
  // FulfillmentOrders?": "it only includes two fields (id and status)"); QueryRoot.fulfillmentOrder "Returns a
  // `FulfillmentOrder` resource by ID." and FulfillmentOrder.order is "The order that's associated with the
  // fulfillment order."
  it('announces fulfillment_orders/order_routing_complete after the order, per fulfillment order, with id and status', async () => {
    const r = await receiver();
    await subscribe('ORDERS_CREATE', r.uri);
    await subscribe('FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE', r.uri);
    const order = sb.storefront.placeOrder({ highRiskRate: 0, refundRate: 0 });
    await sb.webhooks.drain();
    await r.close();
    const topics = r.got.map((d) => d.headers['x-shopify-topic']);
    expect(topics[0]).toBe('orders/create');
    const routed = r.got.filter((d) => d.headers['x-shopify-topic'] === 'fulfillment_orders/order_routing_complete');
    expect(routed.length).toBeGreaterThanOrEqual(1);
    const bodies = routed.map((d) => JSON.parse(d.body));
    for (const b of bodies) {
      expect(Object.keys(b)).toEqual(['fulfillment_order']);
      expect(b.fulfillment_order).toEqual({
        id: expect.stringMatching(/^gid:\/\/shopify\/FulfillmentOrder\/\d+$/),
        status: 'open',
      });
    }
    const read = await gql(
      `query($o: ID!, $f: ID!) { order(id: $o) { fulfillmentOrders(first: 10) { nodes { id assignedLocation { location { id } } } } } fulfillmentOrder(id: $f) { id status order { id } assignedLocation { location { id } } } }`,
      { o: order.id, f: bodies[0].fulfillment_order.id },
    );
    const fos = read.json.data.order.fulfillmentOrders.nodes;
    expect(fos.map((f: { id: string }) => f.id).sort()).toEqual(bodies.map((b) => b.fulfillment_order.id).sort());
    expect(read.json.data.fulfillmentOrder).toMatchObject({
      id: bodies[0].fulfillment_order.id,
      status: 'OPEN',
      order: { id: order.id },
    });
    const none = await gql(`{ fulfillmentOrder(id: "gid://shopify/FulfillmentOrder/999999999001") { id } }`);
    expect(none.json.data.fulfillmentOrder).toBeNull();
  });

  // WebhookSubscriptionTopic FULFILLMENT_ORDERS_MOVED (admin 2026-10): "Occurs whenever the location which is assigned
  // to fulfill one or more fulfillment order line items is changed", with `original_fulfillment_order`,
  // `moved_fulfillment_order`, `source_location` and `destination_location_id`.
  it('sends fulfillment_orders/moved with the original and moved fulfillment orders and both locations', async () => {
    const r = await receiver();
    await subscribe('FULFILLMENT_ORDERS_MOVED', r.uri);
    const [from, to] = [...sb.state.locations.keys()];
    const fo = { id: 'gid://shopify/FulfillmentOrder/42001', status: 'OPEN', locationId: to! };
    sb.webhooks.emit('FULFILLMENT_ORDERS_MOVED', movedPayload(fo, fo, from!));
    await sb.webhooks.drain();
    await r.close();
    expect(r.got.map((d) => d.headers['x-shopify-topic'])).toEqual(['fulfillment_orders/moved']);
    const toId = Number(to!.split('/').pop());
    expect(JSON.parse(r.got[0]!.body)).toEqual({
      original_fulfillment_order: { id: fo.id, status: 'open', assigned_location_id: toId },
      moved_fulfillment_order: { id: fo.id, status: 'open', assigned_location_id: toId },
      source_location: { id: Number(from!.split('/').pop()) },
      destination_location_id: toId,
    });
  });

  it('names topics in X-Shopify-Topic as Shopify does (bulk_operations/finish, inventory_levels/update, orders/risk_assessment_changed)', async () => {
    const r = await receiver();
    for (const t of [
      'BULK_OPERATIONS_FINISH',
      'INVENTORY_LEVELS_UPDATE',
      'ORDERS_RISK_ASSESSMENT_CHANGED',
      'ORDERS_UPDATED',
    ])
      await subscribe(t, r.uri);
    const order = sb.storefront.placeOrder({ highRiskRate: 0 });
    sb.storefront.assessRisk(order.id, 'HIGH');
    sb.storefront.refund(order.id);
    const product = await gql(
      `mutation { productSet(input: { title: "Flour", productOptions: [{ name: "Size", values: [{ name: "2 kg" }] }], variants: [{ sku: "FLOUR-2", price: "6.00", optionValues: [{ optionName: "Size", name: "2 kg" }] }] }) { product { variants(first: 1) { nodes { inventoryItem { id } } } } } }`,
    );
    const itemId = product.json.data.productSet.product.variants.nodes[0].inventoryItem.id;
    const locationId = [...sb.state.locations.keys()][0]!;
    await activate(gql, itemId, locationId);
    await gql(
      `mutation($i: ID!, $l: ID!) { inventorySetQuantities(input: { name: "available", reason: "correction", quantities: [{ inventoryItemId: $i, locationId: $l, quantity: 4, changeFromQuantity: null }] }) @idempotent(key: "wh-1") { userErrors { code } } }`,
      { i: itemId, l: locationId },
    );
    await gql(
      `mutation { bulkOperationRunQuery(query: "{ locations { edges { node { id } } } }") { userErrors { message } } }`,
    );
    for (let i = 0; i < 50 && !r.got.some((d) => d.headers['x-shopify-topic'] === 'bulk_operations/finish'); i++)
      await new Promise((res) => setTimeout(res, 20));
    await sb.webhooks.drain();
    await r.close();
    const byTopic = (t: string) =>
      r.got.filter((d) => d.headers['x-shopify-topic'] === t).map((d) => JSON.parse(d.body));
    expect(byTopic('orders/risk_assessment_changed')[0]).toMatchObject({
      risk_level: 'high',
      order_id: Number(order.id.split('/').pop()),
      admin_graphql_api_order_id: order.id,
    });
    const updates = byTopic('orders/updated');
    expect(updates.at(-1).refunds).toHaveLength(1);
    expect(byTopic('inventory_levels/update')[0]).toMatchObject({ available: 4 });
    expect(byTopic('bulk_operations/finish')[0]).toMatchObject({
      status: 'completed',
      type: 'query',
      error_code: null,
    });
  });

  it('places orders through the inspection API and counts them in stats', async () => {
    const before = await inspect('/stats');
    const placed = await inspect('/orders', { count: 5, refundRate: 1, highRiskRate: 1 });
    expect(placed.placed).toBe(5);
    const after = await inspect('/stats');
    expect(after.orders - before.orders).toBe(5);
    const { json } = await gql(
      `query($id: ID!) { order(id: $id) { risk { recommendation assessments { riskLevel provider { title } facts { description sentiment } } } refunds { id } } }`,
      {
        id: placed.ids[0],
      },
    );
    expect(json.data.order.risk.recommendation).toBe('CANCEL');
    expect(json.data.order.risk.assessments[0].riskLevel).toBe('HIGH');
    expect(json.data.order.refunds).toHaveLength(1);
  });

  it('runs the storefront at a rate set through the inspection API', async () => {
    const before = sb.state.orders.size;
    await inspect('/storefront', { ordersPerMinute: 6000 }); // one every 10 ms
    // 50 ticks' worth: a loaded 2-core machine delays timers, and a basket is now 15–80 lines.
    await new Promise((r) => setTimeout(r, 500));
    await inspect('/storefront', { ordersPerMinute: 0 });
    const placed = sb.state.orders.size - before;
    expect(placed).toBeGreaterThan(5);
    await new Promise((r) => setTimeout(r, 50));
    expect(sb.state.orders.size - before).toBe(placed);
  });

  it('dumps inventory per location and resets the shop, handles included', async () => {
    const rows = await inspect('/inventory?sku=FLOUR-2');
    // Storefront orders in this file commit flour: available is what on_hand leaves once they are taken out.
    expect(rows).toEqual([expect.objectContaining({ sku: 'FLOUR-2', on_hand: 4, location: 'EMERALD' })]);
    expect(rows[0].available).toBe(4 - (rows[0].committed ?? 0));
    await inspect('/reset', {});
    const stats = await inspect('/stats');
    expect(stats).toMatchObject({ products: 0, orders: 0, inventoryLevels: 0, requests: 0 });
    expect(stats.locations).toBeGreaterThan(0);
    const again = await gql(`mutation { productSet(input: { title: "Flour" }) { product { handle } } }`);
    expect(again.json.data.productSet.product.handle).toBe('flour'); // not flour-1: the old handle is free again
  });
});
