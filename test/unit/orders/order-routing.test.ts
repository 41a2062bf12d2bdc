import { describe, expect, it } from 'vitest';
import { routedOrderStocks, type RoutedFulfillmentOrderRead } from '../../../domain/orders/routing';

const fo = (order: number, location: string | null, lines: [number, string | null, number][]) =>
  ({
    order: { id: `gid://shopify/Order/${order}`, createdAt: '2026-11-30T10:00:00Z' },
    assignedLocation: { location: location ? { id: `gid://shopify/Location/${location}` } : null },
    lineItems: {
      nodes: lines.map(([id, sku, quantity]) => ({ lineItem: { id: `gid://shopify/LineItem/${id}`, sku, quantity } })),
    },
  }) satisfies RoutedFulfillmentOrderRead;

// FulfillmentOrder.assignedLocation (admin 2026-10): "This is the location where the fulfillment is expected to happen."
describe('routed fulfillment orders → order stock', () => {
  it('gives one stock per order, each line at its fulfillment order assigned location, as an order read would', () => {
    const stocks = routedOrderStocks('s', [
      fo(7, '1', [[70, 'S-1', 2]]),
      fo(8, '1', [[80, 'S-3', 1]]),
      fo(7, '2', [
        [71, 'S-2', 3],
        [72, null, 1], // a custom line: nothing to reserve
      ]),
    ]);
    expect(stocks).toEqual([
      {
        shop: 's',
        orderId: 7,
        createdAt: '2026-11-30T10:00:00.000Z',
        processedAt: null,
        cancelledAt: null,
        fulfillmentStatus: null,
        lines: [
          { id: 70, sku: 'S-1', quantity: 2, locationId: 'gid://shopify/Location/1' },
          { id: 71, sku: 'S-2', quantity: 3, locationId: 'gid://shopify/Location/2' },
        ],
        refunds: [],
      },
      expect.objectContaining({ orderId: 8, lines: [expect.objectContaining({ id: 80 })] }),
    ]);
  });

  it('skips a fulfillment order with no assigned location and lines with nothing to reserve', () => {
    expect(routedOrderStocks('s', [fo(7, null, [[70, 'S-1', 2]]), fo(8, '1', [[80, 'S-3', 0]])])).toEqual([]);
  });
});
