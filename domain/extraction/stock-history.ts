import { parseTimestamp } from '../platform/dates';
import type { LakeColumn } from './lake-schema';
import { defineLakeTable } from './lake-tables';
import type { StockLocation, StockLocations } from './stock-locations';

/**
 * Stock history as one set of tables (`stock.*`), whatever system recorded it: Stocky's CSV exports (its API shut
 * down on 2026-08-31) and, after it, Shopify's native inventory transfers and adjustment history, told apart by
 * `source_system` ('stocky' | 'shopify'). A query over `stock.transfers` reads history before and after the
 * shutdown as one. Stocky's times are store-local without an offset (Barbados, -04:00).
 */
const req = (name: string, type: LakeColumn['type'] = 'VARCHAR'): LakeColumn => ({ name, type, required: true });
const opt = (name: string, type: LakeColumn['type'] = 'VARCHAR'): LakeColumn => ({ name, type });

export const STOCK_ADJUSTMENTS = defineLakeTable({
  source: 'stock',
  entity: 'adjustments',
  columns: [
    req('source_system'),
    req('adjustment_id'),
    req('sku'),
    req('location'),
    req('occurred_at', 'TIMESTAMP'),
    req('quantity_delta', 'INTEGER'),
    opt('reason'),
    req('updated_at', 'TIMESTAMP'),
    // The store `location` names and its Shopify location (stock-locations.ts); NULL on rows written before.
    opt('store'),
    opt('shopify_location_id'),
  ],
  naturalKey: ['source_system', 'adjustment_id', 'sku'],
  updatedAtField: 'updated_at',
  dt: { column: 'occurred_at' },
});

export const STOCK_TRANSFERS = defineLakeTable({
  source: 'stock',
  entity: 'transfers',
  columns: [
    req('source_system'),
    req('transfer_id'),
    req('sku'),
    req('origin'),
    req('destination'),
    req('status'),
    req('created_at', 'TIMESTAMP'),
    opt('shipped_at', 'TIMESTAMP'),
    opt('received_at', 'TIMESTAMP'),
    req('quantity', 'INTEGER'),
    req('updated_at', 'TIMESTAMP'),
    // Shopify's native transfers (shopify-transfers.ts): its reference name (a transfer carried over from Stocky
    // keeps Stocky's number there), and units shipped and accepted so far; Stocky's rows leave them NULL.
    opt('reference'),
    opt('quantity_shipped', 'INTEGER'),
    opt('quantity_received', 'INTEGER'),
    // The stores origin and destination name, and their Shopify locations (stock-locations.ts).
    opt('origin_store'),
    opt('destination_store'),
    opt('origin_location_id'),
    opt('destination_location_id'),
  ],
  naturalKey: ['source_system', 'transfer_id', 'sku'],
  updatedAtField: 'updated_at',
  dt: { column: 'created_at' },
});

export const STOCK_PURCHASE_ORDERS = defineLakeTable({
  source: 'stock',
  entity: 'purchase_orders',
  columns: [
    req('source_system'),
    req('po_number'),
    req('sku'),
    req('supplier'),
    req('location'),
    req('status'),
    req('ordered_at', 'TIMESTAMP'),
    opt('expected_on', 'DATE'),
    req('quantity_ordered', 'INTEGER'),
    opt('quantity_received', 'INTEGER'),
    opt('unit_cost', 'DECIMAL(18,2)'),
    req('updated_at', 'TIMESTAMP'),
    opt('store'),
    opt('shopify_location_id'),
  ],
  naturalKey: ['source_system', 'po_number', 'sku'],
  updatedAtField: 'updated_at',
  dt: { column: 'ordered_at' },
});

export type StockyExport = 'adjustments' | 'transfers' | 'purchase_orders';
export const STOCKY_TABLES = {
  adjustments: STOCK_ADJUSTMENTS,
  transfers: STOCK_TRANSFERS,
  purchase_orders: STOCK_PURCHASE_ORDERS,
};

/** The header each Stocky export carries (matched case-insensitively, in any order). */
export const STOCKY_HEADERS: Record<StockyExport, string[]> = {
  adjustments: ['Adjustment #', 'Date', 'Location', 'SKU', 'Quantity', 'Reason'],
  transfers: ['Transfer #', 'From Location', 'To Location', 'Status', 'Created At', 'SKU', 'Quantity'],
  purchase_orders: ['PO Number', 'Supplier', 'Location', 'Status', 'Ordered At', 'SKU', 'Quantity Ordered'],
};

/** A local time the writer can read, or the raw text (which the writer then refuses as "not a timestamp"). */
const time = (raw: string | undefined) => (raw ? (parseTimestamp(raw) ?? raw) : undefined);

/**
 * One Stocky CSV row → a `stock.*` row, or the rules it breaks beyond the schema's (a transfer or order of zero or
 * fewer units; a location no store answers to, by `locate`). Types and required fields are the writer's to check,
 * row by row (so an empty location is the writer's "required field missing").
 */
export function stockyRow(
  kind: StockyExport,
  r: Record<string, string>,
  locate: StockLocations,
): { row: Record<string, unknown> } | { problems: string[] } {
  const get = (name: string) => r[name.toLowerCase()]?.trim() || undefined;
  const problems: string[] = [];
  const at = (column: string): Partial<StockLocation> => {
    const name = get(column);
    if (!name) return {};
    const found = locate.byName(name);
    if ('problem' in found) problems.push(`${column}: ${found.problem}`);
    return 'problem' in found ? {} : found;
  };
  const done = (row: Record<string, unknown>) => (problems.length ? { problems } : { row });
  if (kind === 'adjustments') {
    const occurred = time(get('Date'));
    const loc = at('Location');
    return done({
      source_system: 'stocky',
      adjustment_id: get('Adjustment #'),
      sku: get('SKU'),
      location: get('Location'),
      occurred_at: occurred,
      quantity_delta: get('Quantity'),
      reason: get('Reason'),
      updated_at: occurred,
      store: loc.store,
      shopify_location_id: loc.locationId ?? undefined,
    });
  }
  if (kind === 'transfers') {
    const quantity = Number(get('Quantity'));
    if (Number.isFinite(quantity) && quantity <= 0)
      problems.push(`Quantity: a transfer moves at least one unit, got ${get('Quantity')}`);
    const created = time(get('Created At'));
    const received = time(get('Received At'));
    const shipped = time(get('Shipped At'));
    const from = at('From Location');
    const to = at('To Location');
    return done({
      source_system: 'stocky',
      transfer_id: get('Transfer #'),
      sku: get('SKU'),
      origin: get('From Location'),
      destination: get('To Location'),
      status: get('Status')?.toUpperCase(),
      created_at: created,
      shipped_at: shipped,
      received_at: received,
      quantity: get('Quantity'),
      updated_at: received ?? shipped ?? created,
      origin_store: from.store,
      destination_store: to.store,
      origin_location_id: from.locationId ?? undefined,
      destination_location_id: to.locationId ?? undefined,
    });
  }
  const ordered = Number(get('Quantity Ordered'));
  if (Number.isFinite(ordered) && ordered <= 0)
    problems.push(`Quantity Ordered: at least one unit, got ${get('Quantity Ordered')}`);
  const orderedAt = time(get('Ordered At'));
  const loc = at('Location');
  return done({
    source_system: 'stocky',
    po_number: get('PO Number'),
    sku: get('SKU'),
    supplier: get('Supplier'),
    location: get('Location'),
    status: get('Status')?.toUpperCase(),
    ordered_at: orderedAt,
    expected_on: get('Expected At'),
    quantity_ordered: get('Quantity Ordered'),
    quantity_received: get('Quantity Received'),
    unit_cost: get('Cost Price'),
    updated_at: orderedAt,
    store: loc.store,
    shopify_location_id: loc.locationId ?? undefined,
  });
}
