import { createdAtColumn, updatedAtColumn } from '../columns';
import { sql } from 'drizzle-orm';
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
  text,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';

const timestamps = () => ({ createdAt: createdAtColumn(), updatedAt: updatedAtColumn() });

export const subDepartments = mysqlTable('sub_departments', {
  code: varchar('code', { length: 32 }).primaryKey(),
  name: varchar('name', { length: 128 }).notNull(),
  department: varchar('department', { length: 128 }).notNull(),
});

export const products = mysqlTable(
  'products',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).primaryKey(),
    handle: varchar('handle', { length: 255 }).notNull(),
    title: varchar('title', { length: 255 }).notNull(),
    descriptionHtml: text('description_html'),
    vendor: varchar('vendor', { length: 128 }),
    subDepartmentCode: varchar('sub_department_code', { length: 32 }).references(() => subDepartments.code),
    tags: json('tags')
      .$type<string[]>()
      .notNull()
      .default(sql`('[]')`),
    /** Option names in order (at most three for Shopify), e.g. ["Size"]. */
    options: json('options')
      .$type<string[]>()
      .notNull()
      .default(sql`('[]')`),
    status: varchar('status', { length: 16 }).notNull().default('ACTIVE'),
    deletedAt: datetime('deleted_at', { fsp: 3 }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('products_handle_uq').on(t.handle),
    index('products_sub_department_idx').on(t.subDepartmentCode),
    index('products_updated_idx').on(t.updatedAt),
  ],
);

export const variants = mysqlTable(
  'variants',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).primaryKey(),
    productId: bigint('product_id', { mode: 'number', unsigned: true })
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    sku: varchar('sku', { length: 64 }).notNull(),
    barcode: varchar('barcode', { length: 14 }),
    /** Values for the product's options, in the same order. */
    optionValues: json('option_values')
      .$type<string[]>()
      .notNull()
      .default(sql`('[]')`),
    price: decimal('price', { precision: 12, scale: 2 }).notNull(),
    compareAtPrice: decimal('compare_at_price', { precision: 12, scale: 2 }),
    weight: decimal('weight', { precision: 10, scale: 3 }),
    weightUnit: varchar('weight_unit', { length: 12 }).notNull().default('GRAMS'),
    position: int('position').notNull().default(1),
    ...timestamps(),
  },
  (t) => [uniqueIndex('variants_sku_uq').on(t.sku), index('variants_product_idx').on(t.productId)],
);

export const images = mysqlTable(
  'images',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    productId: bigint('product_id', { mode: 'number', unsigned: true })
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    url: varchar('url', { length: 1024 }).notNull(),
    alt: varchar('alt', { length: 255 }),
    position: int('position').notNull().default(1),
  },
  (t) => [index('images_product_idx').on(t.productId)],
);

export const storeAttributes = mysqlTable(
  'store_attributes',
  {
    productId: bigint('product_id', { mode: 'number', unsigned: true })
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    storeCode: varchar('store_code', { length: 32 }).notNull(),
    key: varchar('attr_key', { length: 64 }).notNull(),
    value: varchar('attr_value', { length: 1024 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.storeCode, t.key] })],
);

/** Written in the same transaction as each catalogue edit; the relay turns rows into workflow signals. */
export const changeOutbox = mysqlTable(
  'change_outbox',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    aggregateType: varchar('aggregate_type', { length: 32 }).notNull(),
    aggregateId: bigint('aggregate_id', { mode: 'number', unsigned: true }).notNull(),
    event: varchar('event', { length: 64 }).notNull(),
    payload: json('payload').$type<Record<string, unknown>>(),
    createdAt: createdAtColumn(),
    relayedAt: datetime('relayed_at', { fsp: 3 }),
  },
  (t) => [index('change_outbox_pending_idx').on(t.relayedAt, t.id)],
);

export const channelMappings = mysqlTable(
  'channel_mappings',
  {
    channel: varchar('channel', { length: 32 }).notNull(),
    pimProductId: bigint('pim_product_id', { mode: 'number', unsigned: true }).notNull(),
    externalId: varchar('external_id', { length: 128 }),
    /** SKU → external variant id / inventory item id. */
    externalVariantIds:
      json('external_variant_ids').$type<Record<string, { variantId: string; inventoryItemId?: string }>>(),
    contentHash: varchar('content_hash', { length: 64 }),
    lastPushedAt: datetime('last_pushed_at', { fsp: 3 }),
    status: varchar('status', { length: 16 }).notNull().default('PENDING'),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.channel, t.pimProductId] }),
    index('channel_mappings_external_idx').on(t.channel, t.externalId),
  ],
);

export const syncErrors = mysqlTable(
  'sync_errors',
  {
    channel: varchar('channel', { length: 32 }).notNull(),
    pimProductId: bigint('pim_product_id', { mode: 'number', unsigned: true }).notNull(),
    code: varchar('code', { length: 64 }).notNull(),
    reason: text('reason').notNull(),
    firstSeen: datetime('first_seen', { fsp: 3 }).notNull(),
    lastSeen: datetime('last_seen', { fsp: 3 }).notNull(),
    occurrences: int('occurrences').notNull().default(1),
    resolvedAt: datetime('resolved_at', { fsp: 3 }),
  },
  (t) => [primaryKey({ columns: [t.channel, t.pimProductId] }), index('sync_errors_open_idx').on(t.resolvedAt)],
);

export const locationMappings = mysqlTable('location_mappings', {
  storeCode: varchar('store_code', { length: 32 }).primaryKey(),
  shopifyLocationId: varchar('shopify_location_id', { length: 128 }).notNull(),
  active: boolean('active').notNull().default(true),
  ...timestamps(),
});
