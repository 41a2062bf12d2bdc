import { defineLakeTable } from './lake-tables';
import type { LakeColumn } from './lake-schema';

/**
 * The Shopify tables of the lake (`shopify.<entity>`), filled by the incremental extraction
 * (activities/extraction/shopify-extract.ts). Children (line items, refunds, refund lines, tax lines, variants)
 * carry their parent's created_at as the partition and its updated_at as their version: a parent re-read rewrites
 * them in the same partition. Customers keep ids, dates and counts only: no names, emails or phones in the lake.
 */
const id = (name: string): LakeColumn => ({ name, type: 'BIGINT', required: true });
const ts = (name: string, required = false): LakeColumn => ({ name, type: 'TIMESTAMP', required });
const money = (name: string, required = false): LakeColumn => ({ name, type: 'DECIMAL(18,2)', required });
const text = (name: string, required = false): LakeColumn => ({ name, type: 'VARCHAR', required });

export const SHOPIFY_ORDERS = defineLakeTable({
  source: 'shopify',
  entity: 'orders',
  columns: [
    id('order_id'),
    text('name', true),
    ts('created_at', true),
    ts('updated_at', true),
    ts('processed_at'),
    ts('cancelled_at'),
    text('currency', true),
    text('financial_status'),
    text('fulfillment_status'),
    money('subtotal'),
    money('total_tax'),
    money('total_shipping'),
    money('total_discounts'),
    money('total', true),
    money('total_refunded'),
    { name: 'customer_id', type: 'BIGINT' },
  ],
  naturalKey: ['order_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'created_at' },
});

export const SHOPIFY_LINE_ITEMS = defineLakeTable({
  source: 'shopify',
  entity: 'line_items',
  columns: [
    id('line_item_id'),
    id('order_id'),
    ts('order_created_at', true),
    ts('updated_at', true),
    text('sku'),
    text('title', true),
    { name: 'quantity', type: 'INTEGER', required: true },
    money('unit_price', true),
    money('total_discount'),
  ],
  naturalKey: ['line_item_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'order_created_at' },
});

export const SHOPIFY_REFUNDS = defineLakeTable({
  source: 'shopify',
  entity: 'refunds',
  columns: [
    id('refund_id'),
    id('order_id'),
    ts('order_created_at', true),
    ts('updated_at', true),
    ts('created_at'),
    money('total_refunded', true),
  ],
  naturalKey: ['refund_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'order_created_at' },
});

export const SHOPIFY_REFUND_LINES = defineLakeTable({
  source: 'shopify',
  entity: 'refund_lines',
  columns: [
    id('refund_id'),
    id('line_item_id'),
    id('order_id'),
    ts('order_created_at', true),
    ts('updated_at', true),
    { name: 'quantity', type: 'INTEGER', required: true },
    money('subtotal', true),
  ],
  naturalKey: ['refund_id', 'line_item_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'order_created_at' },
});

/** An order's tax lines by position (Shopify gives them no id). */
export const SHOPIFY_TAX_LINES = defineLakeTable({
  source: 'shopify',
  entity: 'tax_lines',
  columns: [
    id('order_id'),
    { name: 'position', type: 'INTEGER', required: true },
    ts('order_created_at', true),
    ts('updated_at', true),
    text('title', true),
    { name: 'rate', type: 'DOUBLE' },
    money('amount', true),
  ],
  naturalKey: ['order_id', 'position'],
  updatedAtField: 'updated_at',
  dt: { column: 'order_created_at' },
});

export const SHOPIFY_CUSTOMERS = defineLakeTable({
  source: 'shopify',
  entity: 'customers',
  columns: [
    id('customer_id'),
    ts('created_at', true),
    ts('updated_at', true),
    { name: 'number_of_orders', type: 'BIGINT' },
  ],
  naturalKey: ['customer_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'created_at' },
});

export const SHOPIFY_PRODUCTS = defineLakeTable({
  source: 'shopify',
  entity: 'products',
  columns: [
    id('product_id'),
    ts('created_at', true),
    ts('updated_at', true),
    text('handle', true),
    text('title', true),
    text('vendor'),
    text('product_type'),
    text('status'),
  ],
  naturalKey: ['product_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'created_at' },
});

export const SHOPIFY_VARIANTS = defineLakeTable({
  source: 'shopify',
  entity: 'variants',
  columns: [
    id('variant_id'),
    id('product_id'),
    ts('product_created_at', true),
    ts('updated_at', true),
    text('sku'),
    text('barcode'),
    money('price', true),
    money('compare_at_price'),
    text('title', true),
    { name: 'inventory_item_id', type: 'BIGINT' },
  ],
  naturalKey: ['variant_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'product_created_at' },
});

/**
 * The quantity names Shopify keeps per inventory level (its inventory states: on_hand is every unit at the
 * location, available what is left to sell after committed, reserved and the set-aside states).
 */
export const INVENTORY_QUANTITY_NAMES = [
  'available',
  'on_hand',
  'committed',
  'incoming',
  'reserved',
  'damaged',
  'quality_control',
  'safety_stock',
] as const;

/**
 * Inventory levels, one row per inventory item × location with its quantities by name. Partitioned by the level's
 * created_at (it never changes, so a level's versions always meet in one partition and the newest updated_at wins).
 */
export const SHOPIFY_INVENTORY_LEVELS = defineLakeTable({
  source: 'shopify',
  entity: 'inventory_levels',
  columns: [
    id('inventory_item_id'),
    id('location_id'),
    ts('created_at', true),
    ts('updated_at', true),
    ...INVENTORY_QUANTITY_NAMES.map((name): LakeColumn => ({ name, type: 'INTEGER' })),
  ],
  naturalKey: ['inventory_item_id', 'location_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'created_at' },
});
