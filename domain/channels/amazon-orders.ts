import type { Movement } from '../inventory/movements';

/** The parts of an Orders 2026-01-01 `Order` that move stock. */
export interface AmazonOrderLite {
  orderId: string;
  createdTime: string;
  lastUpdatedTime: string;
  fulfillment?: { fulfillmentStatus: string };
  orderItems: { orderItemId: string; quantityOrdered: number; product: { sellerSku?: string } }[];
}

const RELEASED = new Set(['CANCELLED', 'UNFULFILLABLE']);
const SHIPPED = new Set(['SHIPPED']);

/**
 * An Amazon order's stock movements, keyed by order item so re-reads never count twice: every line reserves
 * its units at the location that ships Amazon orders; a cancelled order releases them, a shipped one fulfils
 * them. A line without a seller SKU moves nothing (it is not one of our listings).
 */
export function amazonOrderMovements(sellerId: string, order: AmazonOrderLite, location: string): Movement[] {
  const status = order.fulfillment?.fulfillmentStatus ?? 'PENDING';
  const out: Movement[] = [];
  for (const item of order.orderItems) {
    const sku = item.product.sellerSku;
    if (!sku || item.quantityOrdered <= 0) continue;
    const base = {
      sku,
      location,
      quantity: item.quantityOrdered,
      channel: 'amazon',
      orderId: order.orderId,
      orderLineId: item.orderItemId,
    };
    const key = `amazon/${sellerId}/line/${item.orderItemId}`;
    out.push({ ...base, key: `${key}/reserve`, kind: 'reserve', occurredAt: order.createdTime });
    if (RELEASED.has(status))
      out.push({ ...base, key: `${key}/release`, kind: 'release', occurredAt: order.lastUpdatedTime });
    if (SHIPPED.has(status))
      out.push({ ...base, key: `${key}/fulfil`, kind: 'fulfil', occurredAt: order.lastUpdatedTime });
  }
  return out;
}

/**
 * Units Seller Central has sold that the ledger has not reserved yet (orders placed but not read: searchOrders
 * allows one call per 180 s once its burst is spent). Amazon takes an order's units off the listing at once, so
 * since our last confirmed quantity it has taken `confirmed − shown`; the orders of that time we have read account
 * for `readSince` of them; the rest are orders we do not know yet. Sending the allocation without holding these
 * back would raise the listing above what remains.
 */
export function unreadSold(x: { confirmed: number; shown: number | undefined; readSince: number }): number {
  if (x.shown === undefined) return 0;
  return Math.max(0, x.confirmed - x.shown - x.readSince);
}
