import { definePageParser, type TableRows } from './page-parsers';
import { STOCK_TRANSFERS } from './stock-history';
import type { StockLocations } from './stock-locations';

/**
 * Shopify's native inventory transfers → `stock.transfers` rows (source_system 'shopify'), one per transfer × SKU,
 * beside Stocky's (pure). The schema gives a transfer no updatedAt, so a row's version is the newest date it shows
 * (created, shipped, received); a change without a date (a draft canceled) ties, and on a tie the later write wins.
 */
type Node = Record<string, unknown>;
const nodesOf = (c: unknown) => ((c as { nodes?: Node[] } | null | undefined)?.nodes ?? []) as Node[];
const item = (n: Node) => (n.inventoryItem ?? null) as { id?: string; sku?: string | null } | null;
const latest = (dates: unknown[]) =>
  dates
    .filter((d): d is string => typeof d === 'string')
    .sort()
    .at(-1) ?? undefined;
const earliest = (dates: unknown[]) => dates.filter((d): d is string => typeof d === 'string').sort()[0];

/** Statuses from which a transfer no longer changes: it need not be read again. */
export const FINAL_TRANSFER_STATUSES = new Set(['TRANSFERRED', 'CANCELED']);

/** A location outside the shop's (a supplier's delivery has no origin since 2026-01). */
export const EXTERNAL_LOCATION = '(external)';

export function transferRows(transfers: Node[]): TableRows {
  const rows: Record<string, unknown>[] = [];
  for (const t of transfers) {
    // A transfer without its name or line items is not one this code can read: the page goes to a dead letter.
    if (typeof t.name !== 'string' || !Array.isArray((t.lineItems as { nodes?: unknown } | null)?.nodes))
      throw new Error(`inventory transfer ${String(t.id)}: no name or line items in the reply`);
    const shipments = nodesOf(t.shipments);
    const snap = (k: 'origin' | 'destination') => (t[k] as { name?: string } | null)?.name ?? EXTERNAL_LOCATION;
    const snapId = (k: 'origin' | 'destination') =>
      (t[k] as { location?: { id?: string } | null } | null)?.location?.id ?? undefined;
    const updated = latest([t.dateCreated, ...shipments.flatMap((s) => [s.dateShipped, s.dateReceived])]);
    // Line items of one item summed: the natural key is transfer × SKU.
    const byItem = new Map<string, { sku: unknown; total: number; shipped: number }>();
    for (const li of nodesOf(t.lineItems)) {
      const key = item(li)?.id ?? `line:${byItem.size}`;
      const acc = byItem.get(key) ?? { sku: item(li)?.sku, total: 0, shipped: 0 };
      acc.total += Number(li.totalQuantity);
      acc.shipped += Number(li.shippedQuantity);
      byItem.set(key, acc);
    }
    for (const [itemId, line] of byItem) {
      const mine = shipments.flatMap((s) =>
        nodesOf(s.lineItems)
          .filter((l) => item(l)?.id === itemId)
          .map((l) => ({ s, l })),
      );
      const accepted = mine.reduce((n, { l }) => n + Number(l.acceptedQuantity ?? 0), 0);
      const counted = mine.filter(({ l }) => Number(l.acceptedQuantity ?? 0) + Number(l.rejectedQuantity ?? 0) > 0);
      rows.push({
        source_system: 'shopify',
        transfer_id: t.name,
        reference: t.referenceName ?? undefined,
        sku: line.sku ?? undefined,
        origin: snap('origin'),
        destination: snap('destination'),
        origin_location_id: snapId('origin'),
        destination_location_id: snapId('destination'),
        status: t.status,
        created_at: t.dateCreated ?? undefined,
        shipped_at: earliest(mine.map(({ s }) => s.dateShipped)),
        received_at: counted.length ? latest(counted.map(({ s }) => s.dateReceived)) : undefined,
        quantity: line.total,
        quantity_shipped: line.shipped,
        quantity_received: accepted,
        updated_at: updated,
      });
    }
  }
  return [{ table: STOCK_TRANSFERS, rows }];
}

/**
 * Each transfer row's origin and destination store (by location id, else by the name snapshot), or the row refused
 * with the reason: a location no store answers to is reported, not left out of a store's history unseen. A location
 * outside the shop (a supplier's) has no store.
 */
export function locateTransferRows(
  rows: Record<string, unknown>[],
  locate: StockLocations,
): { rows: Record<string, unknown>[]; refused: { row: Record<string, unknown>; reasons: string[] }[] } {
  const out: Record<string, unknown>[] = [];
  const refused: { row: Record<string, unknown>; reasons: string[] }[] = [];
  for (const row of rows) {
    const reasons: string[] = [];
    const at = (end: 'origin' | 'destination') => {
      const name = String(row[end]);
      if (name === EXTERNAL_LOCATION) return undefined;
      const found = locate.byLocation(row[`${end}_location_id`] as string | undefined, name);
      if ('problem' in found) reasons.push(`${end}: ${found.problem}`);
      return 'problem' in found ? undefined : found.store;
    };
    const located = { ...row, origin_store: at('origin'), destination_store: at('destination') };
    if (reasons.length) refused.push({ row, reasons });
    else out.push(located);
  }
  return { rows: out, refused };
}

/** A transfers page as kept in a dead letter: `{ nodes: [...] }` with each shipment's lines filled in. */
export const TRANSFERS_PAGE_PARSER = definePageParser('shopify/transfers', (page) => transferRows(nodesOf(page)));

/**
 * Stock history per SKU × store, before and after Stocky's shutdown as one: adjustments, units leaving the origin
 * when shipped and arriving at the destination when received, with a running total. `location` is the store code
 * (stock-locations.ts: Stocky's location names and Shopify's location ids resolve to it), else, on a row written
 * before stores were resolved, the name the row shows; `location_name` is that name. A Stocky transfer carried over
 * into Shopify (its number as the Shopify transfer's reference name) counts once, as Shopify's (it may have been
 * received there); canceled transfers move nothing.
 */
export const STOCK_HISTORY_SQL = `WITH transfers AS (
  SELECT t.* FROM stock.transfers t
  WHERE t.status NOT IN ('CANCELED', 'CANCELLED')
    AND NOT (t.source_system = 'stocky' AND EXISTS (
      SELECT 1 FROM stock.transfers s
      WHERE s.source_system = 'shopify' AND s.reference = t.transfer_id AND s.sku = t.sku))
), movements AS (
  SELECT sku, coalesce(store, location) AS location, location AS location_name, occurred_at AS moved_at,
    'adjustment' AS kind, adjustment_id AS document, source_system, quantity_delta AS delta FROM stock.adjustments
  UNION ALL
  SELECT sku, coalesce(origin_store, origin), origin, shipped_at, 'transfer_out', transfer_id, source_system,
    -coalesce(quantity_shipped, quantity)
  FROM transfers WHERE shipped_at IS NOT NULL AND origin <> '${EXTERNAL_LOCATION}'
  UNION ALL
  SELECT sku, coalesce(destination_store, destination), destination, received_at, 'transfer_in', transfer_id,
    source_system, coalesce(quantity_received, quantity)
  FROM transfers WHERE received_at IS NOT NULL AND destination <> '${EXTERNAL_LOCATION}'
)
SELECT sku, location, location_name, moved_at, kind, document, source_system, delta,
  sum(delta) OVER (PARTITION BY sku, location ORDER BY moved_at, kind, document ROWS UNBOUNDED PRECEDING)::INTEGER AS running
FROM movements`;
