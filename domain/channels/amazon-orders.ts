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
