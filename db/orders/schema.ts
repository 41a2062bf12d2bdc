import { createdAtColumn, updatedAtColumn } from '../columns';
import {
  bigint,
  boolean,
  datetime,
  decimal,
  index,
  int,
  json,
  mysqlTable,
  primaryKey,
  varchar,
} from 'drizzle-orm/mysql-core';

const shopifyId = (name: string) => bigint(name, { mode: 'number', unsigned: true });
const money = (name: string) => decimal(name, { precision: 12, scale: 2 });
const loadedAt = {
  ingestedAt: updatedAtColumn('ingested_at'),
};

export interface Address {
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  zip?: string | null;
  countryCode?: string | null;
  phone?: string | null;
  name?: string | null;
}

export const customers = mysqlTable(
  'customers',
  {
    id: shopifyId('id').primaryKey(),
    email: varchar('email', { length: 255 }),
    phone: varchar('phone', { length: 32 }),
    firstName: varchar('first_name', { length: 128 }),
    lastName: varchar('last_name', { length: 128 }),
    updatedAtShopify: datetime('updated_at_shopify', { fsp: 3 }).notNull(),
    ...loadedAt,
  },
  (t) => [index('customers_email_idx').on(t.email)],
);

export const orders = mysqlTable(
  'orders',
  {
    id: shopifyId('id').primaryKey(),
    shop: varchar('shop', { length: 255 }).notNull(),
    name: varchar('name', { length: 32 }).notNull(),
    email: varchar('email', { length: 255 }),
    currency: varchar('currency', { length: 3 }).notNull(),
    presentmentCurrency: varchar('presentment_currency', { length: 3 }),
    financialStatus: varchar('financial_status', { length: 32 }),
    fulfillmentStatus: varchar('fulfillment_status', { length: 32 }),
    subtotal: money('subtotal').notNull(),
    totalTax: money('total_tax').notNull(),
    totalShipping: money('total_shipping').notNull().default('0.00'),
    totalDiscounts: money('total_discounts').notNull().default('0.00'),
    total: money('total').notNull(),
    totalRefunded: money('total_refunded').notNull().default('0.00'),
    customerId: shopifyId('customer_id'),
    shippingAddress: json('shipping_address').$type<Address | null>(),
    billingAddress: json('billing_address').$type<Address | null>(),
    riskLevel: varchar('risk_level', { length: 16 }),
    riskRecommendation: varchar('risk_recommendation', { length: 16 }),
    flaggedHighRisk: boolean('flagged_high_risk').notNull().default(false),
    /** Reasons the order failed validation; stored, never dropped. Null when valid. */
    validationFlags: json('validation_flags').$type<string[] | null>(),
    createdAtShopify: datetime('created_at_shopify', { fsp: 3 }).notNull(),
    updatedAtShopify: datetime('updated_at_shopify', { fsp: 3 }).notNull(),
    processedAt: datetime('processed_at', { fsp: 3 }),
    cancelledAt: datetime('cancelled_at', { fsp: 3 }),
    ...loadedAt,
  },
  (t) => [
    index('orders_updated_idx').on(t.updatedAtShopify, t.id),
    index('orders_created_idx').on(t.createdAtShopify),
    index('orders_customer_idx').on(t.customerId),
    // The lake export's cursor: rows changed in this DB since the last export (activities/orders/orders-lake.ts).
    index('orders_ingested_idx').on(t.ingestedAt, t.id),
    // Not unique: a second order with a taken number is stored, and reported as a write conflict.
    index('orders_shop_name_idx').on(t.shop, t.name),
  ],
);

export const lineItems = mysqlTable(
  'line_items',
  {
    id: shopifyId('id').primaryKey(),
    orderId: shopifyId('order_id').notNull(),
    sku: varchar('sku', { length: 64 }),
    title: varchar('title', { length: 255 }).notNull(),
    quantity: int('quantity').notNull(),
    price: money('price').notNull(),
    totalDiscount: money('total_discount').notNull().default('0.00'),
  },
  (t) => [index('line_items_order_idx').on(t.orderId), index('line_items_sku_idx').on(t.sku)],
);

export const refunds = mysqlTable(
  'refunds',
  {
    id: shopifyId('id').primaryKey(),
    orderId: shopifyId('order_id').notNull(),
    createdAtShopify: datetime('created_at_shopify', { fsp: 3 }).notNull(),
    total: money('total').notNull(),
    note: varchar('note', { length: 512 }),
  },
  (t) => [index('refunds_order_idx').on(t.orderId)],
);

export const refundLineItems = mysqlTable(
  'refund_line_items',
  {
    refundId: shopifyId('refund_id').notNull(),
    lineItemId: shopifyId('line_item_id').notNull(),
    quantity: int('quantity').notNull(),
    subtotal: money('subtotal').notNull(),
  },
  (t) => [primaryKey({ columns: [t.refundId, t.lineItemId] })],
);

/** Order-level tax lines have lineItemId 0; the natural key is (order, line item, title). */
export const taxLines = mysqlTable(
  'tax_lines',
  {
    orderId: shopifyId('order_id').notNull(),
    lineItemId: shopifyId('line_item_id').notNull().default(0),
    title: varchar('title', { length: 64 }).notNull(),
    rate: decimal('rate', { precision: 8, scale: 6 }).notNull(),
    price: money('price').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.lineItemId, t.title] })],
);

export const riskAssessments = mysqlTable(
  'risk_assessments',
  {
    orderId: shopifyId('order_id').notNull(),
    provider: varchar('provider', { length: 128 }).notNull(),
    riskLevel: varchar('risk_level', { length: 16 }).notNull(),
    recommendation: varchar('recommendation', { length: 16 }),
    facts: json('facts').$type<{ description: string; sentiment: string }[]>(),
    ...loadedAt,
  },
  (t) => [primaryKey({ columns: [t.orderId, t.provider] })],
);

/** Where each incremental pipeline got to: the last (updatedAt, id) durably written. */
export const ingestCursors = mysqlTable(
  'ingest_cursors',
  {
    pipeline: varchar('pipeline', { length: 64 }).notNull(),
    shop: varchar('shop', { length: 255 }).notNull(),
    cursorUpdatedAt: datetime('cursor_updated_at', { fsp: 3 }).notNull(),
    cursorId: shopifyId('cursor_id').notNull().default(0),
    updatedAt: updatedAtColumn(),
  },
  (t) => [primaryKey({ columns: [t.pipeline, t.shop] })],
);

/**
 * Writes refused because they would have overwritten another order's rows: an order id reused with another
 * creation time, a line item or refund id another order owns, an order number another order has. Shopify never
 * reuses ids, so each is a source fault (e.g. a sandbox restarted without its state) shown on the ops console;
 * the stored rows are kept as they are. One open row per order and reason; `resolved_at` closes it.
 */
export const orderWriteConflicts = mysqlTable(
  'order_write_conflicts',
  {
    orderId: shopifyId('order_id').notNull(),
    reason: varchar('reason', { length: 64 }).notNull(),
    shop: varchar('shop', { length: 255 }).notNull(),
    detail: json('detail').$type<Record<string, unknown>>(),
    firstSeen: createdAtColumn('first_seen'),
    lastSeen: updatedAtColumn('last_seen'),
    resolvedAt: datetime('resolved_at', { fsp: 3 }),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.reason] }), index('order_write_conflicts_open_idx').on(t.resolvedAt)],
);

/**
 * What the stock ledger still has to apply for an order (reserve, release, fulfil), written in the same transaction
 * as the order's rows, so a stored order can never miss its reservations and the webhook's write does not wait for
 * the ledger. `orderReservations` drains it in batches; `generation` grows with every rewrite, so a drain deletes
 * only what it applied (a newer version queued meanwhile stays). `stock` is the order's stock-relevant content
 * (domain/inventory/order-movements.ts OrderStock): lines with SKUs, refunds with their restock type, cancellation,
 * fulfilment and the fulfilment orders' assigned locations.
 */
export const ledgerQueue = mysqlTable(
  'ledger_queue',
  {
    orderId: shopifyId('order_id').primaryKey(),
    shop: varchar('shop', { length: 255 }).notNull(),
    generation: int('generation').notNull().default(1),
    stock: json('stock').$type<Record<string, unknown>>().notNull(),
    queuedAt: updatedAtColumn('queued_at'),
  },
  (t) => [index('ledger_queue_queued_idx').on(t.queuedAt)],
);
