import { defineLakeTable } from '../extraction/lake-tables';

/**
 * The orders DB's export to the lake (activities/orders/orders-lake.ts): one row per order and per line item,
 * partitioned by the order's created_at day (UTC), newest `updated_at` (Shopify's) winning. Replaces the v1
 * gzipped NDJSON parts (`orders/dt=…/part-*.ndjson.gz`), which are no longer written.
 */
export const ORDERS_DB_ORDERS = defineLakeTable({
  source: 'orders_db',
  entity: 'orders',
  columns: [
    { name: 'order_id', type: 'BIGINT', required: true },
    { name: 'name', type: 'VARCHAR', required: true },
    { name: 'shop', type: 'VARCHAR', required: true },
    { name: 'created_at', type: 'TIMESTAMP', required: true },
    { name: 'updated_at', type: 'TIMESTAMP', required: true },
    { name: 'currency', type: 'VARCHAR', required: true },
    { name: 'financial_status', type: 'VARCHAR' },
    { name: 'fulfillment_status', type: 'VARCHAR' },
    { name: 'subtotal', type: 'DECIMAL(18,2)' },
    { name: 'total_tax', type: 'DECIMAL(18,2)' },
    { name: 'total', type: 'DECIMAL(18,2)', required: true },
    { name: 'total_refunded', type: 'DECIMAL(18,2)' },
    { name: 'customer_id', type: 'BIGINT' },
    { name: 'risk_level', type: 'VARCHAR' },
    { name: 'flagged_high_risk', type: 'BOOLEAN' },
    { name: 'validation_flags', type: 'VARCHAR' },
    { name: 'line_count', type: 'INTEGER' },
  ],
  naturalKey: ['order_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'created_at' },
});

export const ORDERS_DB_LINE_ITEMS = defineLakeTable({
  source: 'orders_db',
  entity: 'line_items',
  columns: [
    { name: 'line_item_id', type: 'BIGINT', required: true },
    { name: 'order_id', type: 'BIGINT', required: true },
    { name: 'order_created_at', type: 'TIMESTAMP', required: true },
    { name: 'updated_at', type: 'TIMESTAMP', required: true },
    { name: 'sku', type: 'VARCHAR' },
    { name: 'title', type: 'VARCHAR', required: true },
    { name: 'quantity', type: 'INTEGER', required: true },
    { name: 'price', type: 'DECIMAL(18,2)', required: true },
  ],
  naturalKey: ['line_item_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'order_created_at' },
});
