import { definePageParser, type TableRows } from './page-parsers';
import { STOCK_TRANSFERS } from './stock-history';

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

/** A transfers page as kept in a dead letter: `{ nodes: [...] }` with each shipment's lines filled in. */
export const TRANSFERS_PAGE_PARSER = definePageParser('shopify/transfers', (page) => transferRows(nodesOf(page)));

/**
 * Stock history per SKU × location, before and after Stocky's shutdown as one: adjustments, units leaving the origin
 * when shipped and arriving at the destination when received, with a running total. A Stocky transfer carried over
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
  SELECT sku, location, occurred_at AS moved_at, 'adjustment' AS kind, adjustment_id AS document, source_system,
    quantity_delta AS delta FROM stock.adjustments
  UNION ALL
  SELECT sku, origin, shipped_at, 'transfer_out', transfer_id, source_system, -coalesce(quantity_shipped, quantity)
  FROM transfers WHERE shipped_at IS NOT NULL AND origin <> '${EXTERNAL_LOCATION}'
  UNION ALL
  SELECT sku, destination, received_at, 'transfer_in', transfer_id, source_system, coalesce(quantity_received, quantity)
  FROM transfers WHERE received_at IS NOT NULL AND destination <> '${EXTERNAL_LOCATION}'
)
SELECT sku, location, moved_at, kind, document, source_system, delta,
  sum(delta) OVER (PARTITION BY sku, location ORDER BY moved_at, kind, document ROWS UNBOUNDED PRECEDING)::INTEGER AS running
FROM movements`;
