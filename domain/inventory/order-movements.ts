import type { OrderRows } from '../orders/orders';
import type { Movement } from './movements';

/**
 * The ledger movements one Shopify order implies, keyed by order line so the webhook, the incremental ingest and
 * every re-read of the same order produce the same keys (and so count once):
 * - `shopify/<shop>/line/<id>/reserve`: the line's units, at the location `locationOf` picks (the line's
 *   existing reservation's location on a re-read, so the content never changes);
 * - `…/release/cancel` when the order is cancelled; `…/release/refund/<refundId>` per refunded line (restocked);
 * - `…/fulfil` when the order is fulfilled: the units not refunded leave the shelf (reserved → shipped).
 * Lines without a SKU the ledger tracks (`tracked`) or with no positive quantity imply nothing.
 */
export function orderMovements(
  rows: OrderRows,
  locationOf: (sku: string, lineId: string) => string | undefined,
  tracked: (sku: string) => boolean,
): Movement[] {
  const o = rows.order;
  const out: Movement[] = [];
  const refunded = new Map<number, { refundId: number; quantity: number }[]>();
  for (const r of rows.refundLineItems) {
    const list = refunded.get(r.lineItemId) ?? [];
    list.push({ refundId: r.refundId, quantity: r.quantity });
    refunded.set(r.lineItemId, list);
  }
  const refundAt = new Map(rows.refunds.map((r) => [r.id, r.createdAtShopify]));
  for (const li of rows.lineItems) {
    if (!li.sku || li.quantity <= 0 || !tracked(li.sku)) continue;
    const lineId = String(li.id);
    const location = locationOf(li.sku, lineId);
    if (!location) continue;
    const key = `shopify/${o.shop}/line/${lineId}`;
    const base = {
      sku: li.sku,
      location,
      channel: 'shopify',
      orderId: String(o.id),
      orderLineId: lineId,
    };
    out.push({
      ...base,
      key: `${key}/reserve`,
      kind: 'reserve',
      quantity: li.quantity,
      occurredAt: iso(o.createdAtShopify),
    });
    let back = 0;
    for (const r of refunded.get(li.id) ?? []) {
      if (r.quantity <= 0) continue;
      back += r.quantity;
      out.push({
        ...base,
        key: `${key}/release/refund/${r.refundId}`,
        kind: 'release',
        quantity: r.quantity,
        occurredAt: iso(refundAt.get(r.refundId) ?? o.createdAtShopify),
      });
    }
    if (o.cancelledAt)
      out.push({
        ...base,
        key: `${key}/release/cancel`,
        kind: 'release',
        quantity: li.quantity,
        occurredAt: iso(o.cancelledAt),
      });
    // Dated at processing, which a re-read never changes (updatedAt does, and the key's content must not).
    else if (o.fulfillmentStatus === 'FULFILLED' && li.quantity - back > 0)
      out.push({
        ...base,
        key: `${key}/fulfil`,
        kind: 'fulfil',
        quantity: li.quantity - back,
        occurredAt: iso(o.processedAt ?? o.createdAtShopify),
      });
  }
  return out;
}

const iso = (d: Date | string) => new Date(d).toISOString();
