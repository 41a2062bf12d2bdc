import type { OrderRows, RestockType } from '../orders/orders';
import type { Movement } from './movements';

/** What of one Shopify order moves stock: what the order write queues for the ledger (orders DB `ledger_queue`). */
export interface OrderStock {
  shop: string;
  orderId: number;
  createdAt: string;
  processedAt: string | null;
  cancelledAt: string | null;
  fulfillmentStatus: string | null;
  /** Lines with a SKU; `locationId`: the assigned location of the fulfillment order holding the line, when read. */
  lines: { id: number; sku: string; quantity: number; locationId?: string | null }[];
  refunds: {
    id: number;
    createdAt: string;
    lines: { lineItemId: number; quantity: number; restockType: RestockType | null; locationId?: string | null }[];
    // restockType null: the source did not say; read as not restocked (units are never offered on a guess).
  }[];
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** The stock-relevant part of stored order rows (null when no line has a SKU: nothing to reserve). */
export function orderStockOf(rows: OrderRows): OrderStock | null {
  const o = rows.order;
  const lines = rows.lineItems
    .filter((l): l is typeof l & { sku: string } => !!l.sku)
    .map((l) => ({ id: l.id, sku: l.sku, quantity: l.quantity, locationId: rows.lineLocations?.[l.id] ?? null }));
  if (!lines.length) return null;
  const restock = new Map((rows.refundRestocks ?? []).map((r) => [`${r.refundId}:${r.lineItemId}`, r] as const));
  return {
    shop: o.shop,
    orderId: o.id,
    createdAt: iso(o.createdAtShopify),
    processedAt: o.processedAt ? iso(o.processedAt) : null,
    cancelledAt: o.cancelledAt ? iso(o.cancelledAt) : null,
    fulfillmentStatus: o.fulfillmentStatus,
    lines,
    refunds: rows.refunds.map((r) => ({
      id: r.id,
      createdAt: iso(r.createdAtShopify),
      lines: rows.refundLineItems
        .filter((rl) => rl.refundId === r.id)
        .map((rl) => {
          const s = restock.get(`${rl.refundId}:${rl.lineItemId}`);
          return {
            lineItemId: rl.lineItemId,
            quantity: rl.quantity,
            restockType: s?.restockType ?? null,
            locationId: s?.locationId ?? null,
          };
        }),
    })),
  };
}

/**
 * The ledger movements one Shopify order implies, keyed by order line so the webhook, the incremental ingest and
 * every re-read of the same order produce the same keys (and so count once):
 * - `shopify/<shop>/line/<id>/reserve`: the line's units, at the location `locationOf` picks (the line's
 *   existing reservation's location on a re-read, so the content never changes);
 * - per refund line, by Shopify's restock type: CANCEL and LEGACY_RESTOCK release the units still reserved
 *   (`…/release/refund/<refundId>`); RETURN puts returned units back on the shelf (`…/return/refund/<refundId>`,
 *   at the refund line's restock location when `locationOf` knows it); NO_RESTOCK moves nothing back: unfulfilled
 *   units stay out of sale and leave the shelf with the order (fulfilment, or cancellation below);
 * - `…/release/cancel` when the order is cancelled: the units not refunded without restock; those
 *   (`…/written-off/cancel`) leave the shelf, as a fulfilment would take them;
 * - `…/fulfil` when the order is fulfilled: the units not released by a restocking refund leave the shelf
 *   (reserved → shipped).
 * Lines without a SKU the ledger tracks (`tracked`) or with no positive quantity imply nothing.
 */
export function orderMovements(
  o: OrderStock,
  locationOf: (sku: string, lineId: string, shopifyLocationId?: string | null) => string | undefined,
  tracked: (sku: string) => boolean,
  /** The store code mapped to a Shopify location (a RETURN's restock location). */
  storeOf: (shopifyLocationId: string) => string | undefined = () => undefined,
): Movement[] {
  const out: Movement[] = [];
  const refunded = new Map<
    number,
    { refundId: number; at: string; line: OrderStock['refunds'][number]['lines'][number] }[]
  >();
  for (const r of o.refunds)
    for (const line of r.lines) {
      const list = refunded.get(line.lineItemId) ?? [];
      list.push({ refundId: r.id, at: r.createdAt, line });
      refunded.set(line.lineItemId, list);
    }
  for (const li of o.lines) {
    if (!li.sku || li.quantity <= 0 || !tracked(li.sku)) continue;
    const lineId = String(li.id);
    const location = locationOf(li.sku, lineId, li.locationId);
    if (!location) continue;
    const key = `shopify/${o.shop}/line/${lineId}`;
    const base = { sku: li.sku, location, channel: 'shopify', orderId: String(o.orderId), orderLineId: lineId };
    out.push({ ...base, key: `${key}/reserve`, kind: 'reserve', quantity: li.quantity, occurredAt: iso(o.createdAt) });
    let released = 0;
    let notRestocked = 0;
    for (const r of refunded.get(li.id) ?? []) {
      const q = r.line.quantity;
      if (q <= 0) continue;
      const type = r.line.restockType;
      if (type === 'CANCEL' || type === 'LEGACY_RESTOCK') {
        released += q;
        out.push({
          ...base,
          key: `${key}/release/refund/${r.refundId}`,
          kind: 'release',
          quantity: q,
          occurredAt: iso(r.at),
        });
      } else if (type === 'RETURN') {
        // Fulfilled units back on the shelf where Shopify restocked them (the line's location if unmapped).
        const at = (r.line.locationId && storeOf(r.line.locationId)) || location;
        out.push({
          sku: li.sku,
          location: at,
          key: `${key}/return/refund/${r.refundId}`,
          kind: 'adjustment',
          quantity: q,
          occurredAt: iso(r.at),
        });
      } else notRestocked += q;
    }
    if (o.cancelledAt) {
      const open = Math.max(0, li.quantity - released);
      const writtenOff = Math.min(open, notRestocked);
      if (open - writtenOff > 0)
        out.push({
          ...base,
          key: `${key}/release/cancel`,
          kind: 'release',
          quantity: open - writtenOff,
          occurredAt: iso(o.cancelledAt),
        });
      if (writtenOff > 0)
        out.push({
          ...base,
          key: `${key}/written-off/cancel`,
          kind: 'fulfil',
          quantity: writtenOff,
          occurredAt: iso(o.cancelledAt),
        });
    }
    // Dated at processing, which a re-read never changes (updatedAt does, and the key's content must not).
    else if (o.fulfillmentStatus === 'FULFILLED' && li.quantity - released > 0)
      out.push({
        ...base,
        key: `${key}/fulfil`,
        kind: 'fulfil',
        quantity: li.quantity - released,
        occurredAt: iso(o.processedAt ?? o.createdAt),
      });
  }
  return out;
}

/**
 * Moves an open reservation to the location Shopify assigned its line (FulfillmentOrder.assignedLocation: "the
 * location where the fulfillment is expected to happen"): a release of the open units where they are held, then a
 * reserve of as many where they will be fulfilled, which moves the line there (`LedgerState`). Keyed by the line,
 * both locations and `times` (how often the line made this same move before), so a re-read applies it once and a
 * line Shopify moves A → B → A → B moves every time (the second A → B is `…/move/A/B/1/…`, not the first's key
 * again). Nothing when the line holds nothing or is already there.
 */
export function relocationMovements(
  shop: string,
  line: { orderLineId: string; orderId: string; sku: string; location: string; open: number },
  to: string,
  occurredAt: string,
  times = 0,
): Movement[] {
  if (line.open <= 0 || line.location === to) return [];
  const key = `${moveKeyPrefix(shop, line.orderLineId, line.location, to)}${times ? `${times}/` : ''}`;
  const base = {
    sku: line.sku,
    channel: 'shopify',
    orderId: line.orderId,
    orderLineId: line.orderLineId,
    quantity: line.open,
    occurredAt: iso(occurredAt),
  };
  return [
    { ...base, key: `${key}release`, kind: 'release', location: line.location },
    { ...base, key: `${key}reserve`, kind: 'reserve', location: to },
  ];
}

/** The start of every key of the line's moves from `from` to `to` (its release keys end in `release`). */
export const moveKeyPrefix = (shop: string, orderLineId: string, from: string, to: string) =>
  `shopify/${shop}/line/${orderLineId}/move/${from}/${to}/`;
