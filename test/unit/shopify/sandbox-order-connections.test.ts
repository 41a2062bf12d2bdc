import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_FULFILLMENT_ORDERS, ORDERS_PAGE } from '../../../connectors/shopify/documents';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { rawAdmin } from '../../support/sandbox-client';

// The limits a 120-line order runs into: a page is at most 250 ("The first or last argument cannot exceed 250",
// shopify.dev pagination), a query at most 1000 points (nested connections cost first × node), and the actual
// cost counts what was returned, so a short refund costs little though its page could hold 150 lines.
describe('sandbox: an order’s nested connections are paged like Shopify’s', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  let orderId: string;
  let refundId: string;
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'plus' });
    gql = rawAdmin(sb);
    const o = sb.storefront.placeOrder({ lines: 120, refundRate: 1, refundLines: 12 });
    orderId = o.id;
    refundId = o.refunds[0]!.id;
  });
  afterAll(() => sb.close());

  it('refuses first over 250 on Order.lineItems', async () => {
    const { json } = await gql('query($id: ID!) { order(id: $id) { lineItems(first: 251) { nodes { id } } } }', {
      id: orderId,
    });
    expect(json.errors[0].message).toMatch(/cannot exceed 250/);
  });

  it('refuses nested pages whose requested cost is over 1000 (MAX_COST_EXCEEDED)', async () => {
    const { json } = await gql('{ orders(first: 5) { nodes { id lineItems(first: 250) { nodes { id sku } } } } }');
    expect(json.errors[0].extensions.code).toBe('MAX_COST_EXCEEDED');
  });

  it('pages 120 lines by cursor and charges the actual cost of a short refund by what it returned', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const { json } = await gql(
        'query($id: ID!, $after: String) { order(id: $id) { lineItems(first: 50, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }',
        { id: orderId, after },
      );
      const conn = json.data.order.lineItems;
      seen.push(...conn.nodes.map((n: { id: string }) => n.id));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(120);
    const { json } = await gql(
      'query($id: ID!) { refund(id: $id) { refundLineItems(first: 150) { nodes { lineItem { id } quantity } pageInfo { hasNextPage } } } }',
      { id: refundId },
    );
    expect(json.data.refund.refundLineItems.nodes.length).toBe(12);
    expect(json.extensions.cost.requestedQueryCost).toBe(1 + 2 + 150 * 2);
    expect(json.extensions.cost.actualQueryCost).toBe(1 + 2 + 12 * 2);
  });

  // The incremental ingest's split: an orders page of three (ORDERS_PAGE) and, apart, those orders' fulfillment
  // orders (FulfillmentOrder.assignedLocation: "the location where the fulfillment is expected to happen"). Each
  // stays within the 1000 points a query may request; the page with fulfillment orders inside would not.
  it('reads three orders, then their fulfillment orders apart, each request within 1000 points', async () => {
    const orders = [1, 2, 3].map(() => sb.storefront.placeOrder({ lines: 20, refundRate: 0 }));
    const page = await gql(ORDERS_PAGE.query, { first: 3, query: `updated_at:>='2000-01-01T00:00:00Z'` });
    expect(page.json.errors).toBeUndefined();
    expect(page.json.extensions.cost.requestedQueryCost).toBeLessThanOrEqual(1000);
    const fos = await gql(
      ORDERS_FULFILLMENT_ORDERS[2]!.query,
      Object.fromEntries(orders.map((o, i) => [`o${i}`, o.id])),
    );
    expect(fos.json.errors).toBeUndefined();
    expect(fos.json.extensions.cost.requestedQueryCost).toBeLessThanOrEqual(1000);
    orders.forEach((o, i) => {
      const nodes = fos.json.data[`o${i}`].fulfillmentOrders.nodes;
      expect(nodes.length).toBeGreaterThan(0);
      expect(nodes[0].assignedLocation.location.id).toMatch(/^gid:\/\/shopify\/Location\//);
      expect(nodes.flatMap((n: { lineItems: { nodes: unknown[] } }) => n.lineItems.nodes)).toHaveLength(20);
    });
    // The same selection inside the page: over the limit, which is why the ingest reads it apart.
    const selection = /order\(id: \$o0\) \{ (fulfillmentOrders.*) \}\s*\}\s*$/s.exec(
      ORDERS_FULFILLMENT_ORDERS[0]!.query,
    )![1]!;
    const together = await gql(ORDERS_PAGE.query.replace('nodes { id ', `nodes { ${selection} id `), {
      first: 3,
      query: `updated_at:>='2000-01-01T00:00:00Z'`,
    });
    expect(together.json.errors[0].extensions.code).toBe('MAX_COST_EXCEEDED');
  });
});
