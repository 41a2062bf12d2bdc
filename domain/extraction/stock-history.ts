import { parseTimestamp } from '../platform/dates';
import type { LakeColumn } from './lake-schema';
import { defineLakeTable } from './lake-tables';

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
 * fewer units). Types and required fields are the writer's to check, row by row.
 */
export function stockyRow(
  kind: StockyExport,
  r: Record<string, string>,
): { row: Record<string, unknown> } | { problems: string[] } {
  const get = (name: string) => r[name.toLowerCase()]?.trim() || undefined;
  if (kind === 'adjustments') {
    const occurred = time(get('Date'));
    return {
      row: {
        source_system: 'stocky',
        adjustment_id: get('Adjustment #'),
        sku: get('SKU'),
        location: get('Location'),
        occurred_at: occurred,
        quantity_delta: get('Quantity'),
        reason: get('Reason'),
        updated_at: occurred,
      },
    };
  }
  if (kind === 'transfers') {
    const quantity = Number(get('Quantity'));
    if (Number.isFinite(quantity) && quantity <= 0)
      return { problems: [`Quantity: a transfer moves at least one unit, got ${get('Quantity')}`] };
    const created = time(get('Created At'));
    const received = time(get('Received At'));
    const shipped = time(get('Shipped At'));
    return {
      row: {
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
      },
    };
  }
  const ordered = Number(get('Quantity Ordered'));
  if (Number.isFinite(ordered) && ordered <= 0)
    return { problems: [`Quantity Ordered: at least one unit, got ${get('Quantity Ordered')}`] };
  const orderedAt = time(get('Ordered At'));
  return {
    row: {
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
    },
  };
}
