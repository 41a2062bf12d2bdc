import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
