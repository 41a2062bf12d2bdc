import { createdAtColumn, updatedAtColumn } from '../columns';
import { bigint, datetime, decimal, index, int, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';

export const stores = mysqlTable('stores', {
  code: varchar('code', { length: 32 }).primaryKey(),
  name: varchar('name', { length: 128 }).notNull(),
  /** The Shopify location this store's stock is published to, by name. */
  shopifyLocationName: varchar('shopify_location_name', { length: 128 }),
  createdAt: createdAtColumn(),
});

export const storeProducts = mysqlTable(
  'store_products',
  {
    storeCode: varchar('store_code', { length: 32 }).notNull(),
    posSku: varchar('pos_sku', { length: 64 }).notNull(),
    sku: varchar('sku', { length: 64 }).notNull(),
    barcode: varchar('barcode', { length: 14 }),
    shelfPrice: decimal('shelf_price', { precision: 12, scale: 2 }).notNull(),
    updatedAt: updatedAtColumn(),
  },
  (t) => [
    primaryKey({ columns: [t.storeCode, t.posSku] }),
    index('store_products_sku_idx').on(t.sku),
    // A store's row for a PIM SKU: what intake and stock reconciliation look up.
    index('store_products_store_sku_idx').on(t.storeCode, t.sku),
  ],
);

export const stock = mysqlTable(
  'stock',
  {
    storeCode: varchar('store_code', { length: 32 }).notNull(),
    sku: varchar('sku', { length: 64 }).notNull(),
    onHand: int('on_hand').notNull(),
    updatedAt: updatedAtColumn(),
  },
  (t) => [
    primaryKey({ columns: [t.storeCode, t.sku] }),
    index('stock_sku_idx').on(t.sku),
    // The ledger's continuous pickup reads changed rows by (updated_at, store, sku) high-water mark.
    index('stock_changes_idx').on(t.updatedAt, t.storeCode, t.sku),
  ],
);

export const posSales = mysqlTable(
  'pos_sales',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).primaryKey(),
    storeCode: varchar('store_code', { length: 32 }).notNull(),
    sku: varchar('sku', { length: 64 }).notNull(),
    quantity: int('quantity').notNull(),
    amount: decimal('amount', { precision: 12, scale: 2 }).notNull(),
    soldAt: datetime('sold_at', { fsp: 3 }).notNull(),
  },
  (t) => [index('pos_sales_store_time_idx').on(t.storeCode, t.soldAt)],
);

export const loyaltyTransactions = mysqlTable(
  'loyalty_transactions',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).primaryKey(),
    cardNumber: varchar('card_number', { length: 32 }).notNull(),
    storeCode: varchar('store_code', { length: 32 }).notNull(),
    pointsDelta: int('points_delta').notNull(),
    reason: varchar('reason', { length: 64 }).notNull(),
    occurredAt: datetime('occurred_at', { fsp: 3 }).notNull(),
  },
  (t) => [index('loyalty_card_idx').on(t.cardNumber), index('loyalty_time_idx').on(t.occurredAt)],
);
