import { afterEach, describe, expect, it } from 'vitest';
import { amazonSandbox, eventually, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

let h: AmazonSandboxHarness | undefined;
afterEach(async () => {
  await h?.sb.close();
  h = undefined;
});

type Order = {
  orderId: string;
  createdTime: string;
  orderItems: { orderItemId: string; quantityOrdered: number; product: { sellerSku: string } }[];
  buyer?: unknown;
  fulfillment?: { fulfillmentStatus: string };
};
type Search = {
  orders: Order[];
  pagination?: { nextToken: string };
  createdBefore?: string;
  lastUpdatedBefore?: string;
};

async function setup(opts: Parameters<typeof amazonSandbox>[0] = {}) {
  h = await amazonSandbox({
    rateLimits: { searchOrders: { rate: 100, burst: 100 }, getOrder: { rate: 100, burst: 100 } },
    catalog: [
      { sku: 'TEA-80', title: 'Tea 80 bags', price: '3.49', quantity: 3 },
      { sku: 'COFFEE-500G', price: '7.99', quantity: 1 },
      { sku: 'JAM-340G', quantity: 0 },
    ],
    ...opts,
  });
  return h;
}

const since = '2026-01-01T00:00:00Z';

describe('Amazon sandbox: marketplace orders and Orders 2026-01-01', () => {
  it('shoppers never buy more than a listing shows, and each order takes its units from the listing at once', async () => {
    const { sb, inspect } = await setup();
    const orders = sb.marketplace.placeOrders(20, { maxUnits: 3 });
    const sold = await inspect<Record<string, number>>('/sold');
    expect(sold['TEA-80'] ?? 0).toBeLessThanOrEqual(3);
    expect(sold['COFFEE-500G'] ?? 0).toBeLessThanOrEqual(1);
    expect(sold['JAM-340G']).toBeUndefined();
    expect((sold['TEA-80'] ?? 0) + (sold['COFFEE-500G'] ?? 0)).toBe(4); // everything listed sells out
    expect(sb.state.quantity('TEA-80')).toBe(0);
    expect(orders.length).toBeLessThan(20);
    expect(sb.marketplace.noStock).toBe(20 - orders.length);
  });

  // orders_2026-01-01.json searchOrders/getOrder: SearchOrdersResponse {orders}, GetOrderResponse {order};
  // includedData "BUYER: Information about the buyer", "FULFILLMENT: Information about how the order … shipped".
  it('searchOrders and getOrder return the placed orders; datasets only when includedData asks', async () => {
    const { sb, sp } = await setup();
    const placed = sb.marketplace.placeOrders(2, { pendingMs: 1500 });
    const r = await sp<Search>('GET', `/orders/2026-01-01/orders?createdAfter=${since}`);
    expect(r.status).toBe(200);
    expect(r.body.orders.map((o) => o.orderId).sort()).toEqual(placed.map((o) => o.orderId).sort());
    expect(r.body.orders[0]!.buyer).toBeUndefined();
    expect(r.body.createdBefore).toBeDefined();
    const get = () =>
      sp<{ order: Order }>('GET', `/orders/2026-01-01/orders/${placed[0]!.orderId}?includedData=BUYER,FULFILLMENT`);
    // FulfillmentStatus PENDING: "For standard orders, the initial order status is `PENDING`"; then UNSHIPPED.
    expect((await get()).body.order.fulfillment!.fulfillmentStatus).toBe('PENDING');
    const one = await eventually(async () => {
      const r = await get();
      return r.body.order.fulfillment!.fulfillmentStatus === 'UNSHIPPED' ? r : undefined;
    }, 5000);
    expect(one.body.order.buyer).toBeDefined();
    expect(one.body.order.orderItems[0]!.product.sellerSku).toMatch(/TEA-80|COFFEE-500G/);
    expect((await sp('GET', '/orders/2026-01-01/orders/999-0000000-0000000')).status).toBe(404);
    expect(sb.state.counters.responseViolations).toBe(0);
  });

  // searchOrders parameter descriptions: "You must provide exactly one of `createdAfter` and `lastUpdatedAfter`";
  // createdBefore "must be equal to or after the `createdAfter` date and at least two minutes before the time of the
  // request"; "If `createdAfter` is provided, neither `lastUpdatedAfter` nor `lastUpdatedBefore` may be provided";
  // maxResultsPerPage "The value must be between 1 and 100".
  it('enforces the search window rules with 400 InvalidInput', async () => {
    const { sp } = await setup();
    const soon = new Date(Date.now() - 30_000).toISOString();
    for (const q of [
      '',
      `createdAfter=${since}&lastUpdatedAfter=${since}`,
      `createdAfter=${since}&lastUpdatedBefore=2026-02-01T00:00:00Z`,
      `lastUpdatedAfter=${since}&createdBefore=2026-02-01T00:00:00Z`,
      `createdAfter=2026-02-01T00:00:00Z&createdBefore=2026-01-01T00:00:00Z`,
      `createdAfter=${since}&createdBefore=${soon}`,
      `createdAfter=${since}&maxResultsPerPage=101`,
      `createdAfter=yesterday`,
      `createdAfter=${since}&fulfillmentStatuses=LOST`,
    ]) {
      const r = await sp<{ errors: { code: string }[] }>('GET', `/orders/2026-01-01/orders?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.errors[0]!.code).toBe('InvalidInput');
    }
    const ok = await sp(
      'GET',
      `/orders/2026-01-01/orders?lastUpdatedAfter=${since}&lastUpdatedBefore=${new Date(Date.now() - 180_000).toISOString()}`,
    );
    expect(ok.status).toBe(200);
  });

  // SearchOrdersResponse.pagination: "you must pass the token value as the `paginationToken` query parameter … All
  // other parameters must be provided with the same values … with the exception of `maxResultsPerPage` and
  // `includedData`"; "When there are no other pages to fetch, the `pagination` field will be absent".
  it('pages with paginationToken bound to the same parameters; a new order does not shift the pages', async () => {
    const { sb, sp } = await setup({ catalog: [{ sku: 'RICE', quantity: 1000 }] });
    sb.marketplace.placeOrders(5, { maxLines: 1, maxUnits: 1 });
    const first = await sp<Search>('GET', `/orders/2026-01-01/orders?createdAfter=${since}&maxResultsPerPage=2`);
    expect(first.body.orders).toHaveLength(2);
    const token = encodeURIComponent(first.body.pagination!.nextToken);
    sb.marketplace.placeOrders(1, { maxLines: 1, maxUnits: 1 });
    const ids = first.body.orders.map((o) => o.orderId);
    let next: string | undefined = token;
    while (next) {
      const page: { body: Search } = await sp<Search>(
        'GET',
        `/orders/2026-01-01/orders?createdAfter=${since}&maxResultsPerPage=2&paginationToken=${next}`,
      );
      ids.push(...page.body.orders.map((o) => o.orderId));
      next = page.body.pagination ? encodeURIComponent(page.body.pagination.nextToken) : undefined;
    }
    expect(new Set(ids).size).toBe(5);
    const other = await sp(
      'GET',
      `/orders/2026-01-01/orders?createdAfter=2026-02-01T00:00:00Z&paginationToken=${token}`,
    );
    expect(other.status).toBe(400);
  });

  it('lastUpdatedAfter finds orders whose status changed (inspection API), fulfillmentStatuses filters', async () => {
    const { sb, sp, inspect } = await setup();
    const [o] = sb.marketplace.placeOrders(1);
    await new Promise((r) => setTimeout(r, 20));
    const mark = new Date().toISOString();
    await inspect(`/orders/${o!.orderId}/status`, { status: 'SHIPPED' });
    const r = await sp<Search>('GET', `/orders/2026-01-01/orders?lastUpdatedAfter=${mark}&fulfillmentStatuses=SHIPPED`);
    expect(r.body.orders.map((x) => x.orderId)).toEqual([o!.orderId]);
    expect(r.body.lastUpdatedBefore).toBeDefined();
    const none = await sp<Search>(
      'GET',
      `/orders/2026-01-01/orders?lastUpdatedAfter=${mark}&fulfillmentStatuses=UNSHIPPED`,
    );
    expect(none.body.orders).toEqual([]);
  });
});
