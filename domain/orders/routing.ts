import type { OrderStock } from '../inventory/order-movements';
import { numericId } from './orders';

/** One routed fulfillment order as read (structurally the connector's RoutedFulfillmentOrder). */
export interface RoutedFulfillmentOrderRead {
  order: { id: string; createdAt: string };
  assignedLocation: { location: { id: string } | null };
  lineItems: { nodes: { lineItem: { id: string; sku: string | null; quantity: number } }[] };
}

/**
 * `order-routing/<shop>`: one per shop, batching the shop's routing webhooks. A test's queue prefix gives it a
 * suffix (`…@<queue>`), so test files never share one.
 */
export const orderRoutingWorkflowId = (shop: string, shopifyQueue: string) =>
  shopifyQueue === 'shopify' ? `order-routing/${shop}` : `order-routing/${shop}@${shopifyQueue}`;

/**
 * What routed fulfillment orders say about stock, one entry per order whatever the number of its fulfillment
 * orders: each line with a SKU and its assigned location (FulfillmentOrder.assignedLocation: "the location where
 * the fulfillment is expected to happen"), with the line's ordered quantity and the order's creation time, the
 * content an order read gives its reserve (so the keys hash the same). Refunds, cancellation and fulfilment are
 * not read here: they come with the order's own writes, and a reservation only moves or is made.
 */
export function routedOrderStocks(shop: string, fos: RoutedFulfillmentOrderRead[]): OrderStock[] {
  const byOrder = new Map<number, OrderStock>();
  for (const fo of fos) {
    const locationId = fo.assignedLocation.location?.id;
    if (!locationId) continue;
    const orderId = numericId(fo.order.id);
    const stock = byOrder.get(orderId) ?? {
      shop,
      orderId,
      createdAt: new Date(fo.order.createdAt).toISOString(),
      processedAt: null,
      cancelledAt: null,
      fulfillmentStatus: null,
      lines: [],
      refunds: [],
    };
    for (const { lineItem: li } of fo.lineItems.nodes)
      if (li.sku && li.quantity > 0)
        stock.lines.push({ id: numericId(li.id), sku: li.sku, quantity: li.quantity, locationId });
    if (stock.lines.length) byOrder.set(orderId, stock);
  }
  return [...byOrder.values()];
}
