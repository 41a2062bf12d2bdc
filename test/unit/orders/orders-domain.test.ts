import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_BULK_QUERY } from '../../../activities/orders/orders-documents';
import { ShopifyClient, startBulkQuery, streamBulkResults, waitForBulkOperation } from '../../../connectors/shopify';
import { nextWindow, toOrderRows, type GqlOrder } from '../../../domain/orders/orders';
import { BulkOrderAssembler, ordersBulkQueryFor } from '../../../domain/orders/orders-bulk';
import { MalformedOrderPayload, restOrderToGql } from '../../../domain/orders/orders-rest';
import { orderPayload } from '../../../sandbox/shopify/order-payload';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { sandboxSchema } from '../../../sandbox/shopify/schema';
import { realShopifySchema } from '../../support/shopify-schema';

const money = (amount: string, currencyCode = 'BBD') => ({ shopMoney: { amount, currencyCode } });
const order = (over: Partial<GqlOrder> = {}): GqlOrder => ({
  id: 'gid://shopify/Order/1001',
  name: '#1001',
  email: 'a@example.com',
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:05:00.000Z',
  processedAt: '2026-11-01T10:00:00.000Z',
  cancelledAt: null,
  currencyCode: 'BBD',
  presentmentCurrencyCode: 'BBD',
  displayFinancialStatus: 'PAID',
  displayFulfillmentStatus: 'UNFULFILLED',
  subtotalPriceSet: money('25.00'),
  totalTaxSet: money('4.38'),
  totalPriceSet: money('29.38'),
  customer: null,
  shippingAddress: null,
  billingAddress: null,
  lineItems: {
    nodes: [
      { id: 'gid://shopify/LineItem/1', sku: 'A', title: 'Rice', quantity: 2, originalUnitPriceSet: money('10.00') },
      { id: 'gid://shopify/LineItem/2', sku: 'B', title: 'Milk', quantity: 1, originalUnitPriceSet: money('5.00') },
    ],
  },
  risk: {
    recommendation: 'ACCEPT',
    assessments: [{ riskLevel: 'LOW', provider: { title: 'Shopify' }, facts: [] }],
  },
  ...over,
});

describe('order rows and validation flags', () => {
  it('maps a valid order to rows keyed on numeric Shopify ids, without flags', () => {
    const rows = toOrderRows(order(), 'shop');
    expect(rows.order).toMatchObject({ id: 1001, total: '29.38', validationFlags: null, flaggedHighRisk: false });
    expect(rows.lineItems.map((l) => [l.id, l.orderId, l.quantity])).toEqual([
      [1, 1001, 2],
      [2, 1001, 1],
    ]);
    expect(rows.risks).toEqual([
      { orderId: 1001, provider: 'Shopify', riskLevel: 'LOW', recommendation: 'ACCEPT', facts: [] },
    ]);
  });

  it.each([
    ['MISSING_LINE_ITEMS', { lineItems: { nodes: [] } }],
    ['CURRENCY_MISMATCH', { presentmentCurrencyCode: 'USD' }],
    ['SUBTOTAL_MISMATCH', { subtotalPriceSet: money('99.00') }],
  ] as [string, Partial<GqlOrder>][])('flags %s and still produces the rows', (flag, over) => {
    const rows = toOrderRows(order(over), 'shop');
    expect(rows.order.validationFlags).toContain(flag);
    expect(rows.order.id).toBe(1001);
  });

  it('flags a negative quantity', () => {
    const o = order();
    (o.lineItems as { nodes: { quantity: number }[] }).nodes[0]!.quantity = -1;
    expect(toOrderRows(o, 'shop').order.validationFlags).toContain('NON_POSITIVE_QUANTITY');
  });

  it('marks HIGH risk and CANCEL recommendations', () => {
    const high = toOrderRows(
      order({ risk: { recommendation: 'CANCEL', assessments: [{ riskLevel: 'HIGH', provider: null, facts: [] }] } }),
      'shop',
    );
    expect(high.order).toMatchObject({ riskLevel: 'HIGH', riskRecommendation: 'CANCEL', flaggedHighRisk: true });
  });
});

describe('webhook (REST) orders', () => {
  it.each([
    ['a non-object', 'x', /not an object/],
    ['no id', { created_at: 'x', updated_at: 'x', currency: 'BBD', total_price: '1' }, /missing id/],
    [
      'line items not a list',
      { id: 1, created_at: 'x', updated_at: 'x', currency: 'BBD', total_price: '1', line_items: 3 },
      /not a list/,
    ],
  ])('rejects %s with the reason', (_what, body, reason) => {
    expect(() => restOrderToGql(body)).toThrow(MalformedOrderPayload);
    expect(() => restOrderToGql(body)).toThrow(reason);
  });
});

describe('ingest windows', () => {
  it('starts the next window an overlap before the cursor, and looks back on the first run', () => {
    const now = new Date('2026-11-02T00:00:00.000Z');
    expect(nextWindow(new Date('2026-11-01T23:00:00.000Z'), now, 120_000, 86_400_000)).toEqual({
      from: '2026-11-01T22:58:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
    });
    expect(nextWindow(null, now, 120_000, 86_400_000).from).toBe('2026-11-01T00:00:00.000Z');
  });
});

describe('bulk query of orders', () => {
  it.each([
    ['ordersBulkQueryFor', ordersBulkQueryFor('2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')],
    ['CURRENT_BULK_QUERY', CURRENT_BULK_QUERY.query],
  ])("%s validates against Shopify's published schema and the sandbox's", (_name, query) => {
    expect(validate(realShopifySchema(), parse(query)).map((e) => e.message)).toEqual([]);
    expect(validate(sandboxSchema, parse(query)).map((e) => e.message)).toEqual([]);
  });

  it('rejects a child line that does not follow its order', () => {
    const a = new BulkOrderAssembler();
    a.push({ id: 'gid://shopify/Order/1' });
    expect(() => a.push({ id: 'gid://shopify/LineItem/9', __parentId: 'gid://shopify/Order/2' })).toThrow(/belongs/);
  });

  describe('against the sandbox', () => {
    let sb: ShopifySandbox;
    beforeAll(async () => {
      sb = await startShopifySandbox({ plan: 'plus', bulkRowsPerSecond: 100_000 });
    });
    afterAll(() => sb.close());

    it('joins the JSONL result back into whole orders (line items by __parentId, refunds and risk inline)', async () => {
      sb.storefront.placeOrders({ count: 120, spreadDays: 2, refundRate: 0.3, malformedRate: 0.2 });
      const client = new ShopifyClient({ shop: sb.shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
      const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
      const op = await startBulkQuery(client, ordersBulkQueryFor(from, new Date(Date.now() + 1000).toISOString()));
      const done = await waitForBulkOperation(client, op.id, { intervalMs: 50 });
      const assembler = new BulkOrderAssembler();
      const got: GqlOrder[] = [];
      for await (const line of streamBulkResults(done.url!)) {
        const o = assembler.push(line);
        if (o) got.push(o);
      }
      got.push(assembler.finish()!);
      expect(got.length).toBe(120);
      for (const o of got) {
        const source = sb.state.orders.get(o.id)!;
        const rows = toOrderRows(o, sb.shop);
        expect(rows.lineItems.map((l) => l.quantity)).toEqual(source.lineItems.map((l) => l.quantity));
        expect(rows.refunds.length).toBe(source.refunds.length);
        expect(rows.order.total).toBe(source.total);
        expect(rows.order.flaggedHighRisk).toBe(source.risk.recommendation === 'CANCEL');
        // The webhook (REST) shape of the same order maps to the same rows, risk aside (REST carries none).
        const rest = toOrderRows(restOrderToGql(JSON.parse(JSON.stringify(orderPayload(source, sb.state)))), sb.shop);
        const pick = (r: typeof rows) => ({
          ...r.order,
          riskLevel: null,
          riskRecommendation: null,
          flaggedHighRisk: null,
        });
        expect(rest.riskKnown).toBe(false);
        expect(pick(rest)).toEqual(pick(rows));
        expect(rest.lineItems).toEqual(rows.lineItems);
        expect(rest.taxLines).toEqual(rows.taxLines);
        expect(rest.customer).toEqual(rows.customer);
        expect(rest.refunds.map((r) => [r.id, r.total])).toEqual(rows.refunds.map((r) => [r.id, r.total]));
      }
    });
  });
});
