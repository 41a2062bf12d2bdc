import { createdAtColumn, updatedAtColumn } from '../columns';
import { bigint, char, datetime, index, int, json, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';

/**
 * The stock ledger. `movements` is append-only (never updated or deleted): every stock change with its source's
 * idempotency key. `stock_levels` and `reservations` are derived from it in the same transaction (the rules are
 * `domain/inventory/ledger.ts`); `version` is the optimistic lock of a level.
 */
export const movements = mysqlTable(
  'movements',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    movementKey: varchar('movement_key', { length: 191 }).notNull().unique(),
    /** movementHash of the source's content: the same key with another hash is a conflicting duplicate. */
    contentHash: char('content_hash', { length: 16 }).notNull(),
    kind: varchar('kind', { length: 16 }).notNull(),
    sku: varchar('sku', { length: 64 }).notNull(),
    location: varchar('location', { length: 32 }).notNull(),
    quantity: int('quantity').notNull(),
    /** What it moves on_hand by when it is newer than the location's latest count (0 for counts and reservations). */
    onHandDelta: int('on_hand_delta').notNull(),
    occurredAt: datetime('occurred_at', { fsp: 3 }).notNull(),
    channel: varchar('channel', { length: 16 }),
    orderId: varchar('order_id', { length: 96 }),
    orderLineId: varchar('order_line_id', { length: 96 }),
    recordedAt: createdAtColumn('recorded_at'),
  },
  (t) => [index('movements_level_time_idx').on(t.sku, t.location, t.occurredAt)],
);

export const stockLevels = mysqlTable(
  'stock_levels',
  {
    sku: varchar('sku', { length: 64 }).notNull(),
    location: varchar('location', { length: 32 }).notNull(),
    onHand: int('on_hand').notNull(),
    reserved: int('reserved').notNull(),
    countedAt: datetime('counted_at', { fsp: 3 }),
    /** Bumped by every change; a writer updates only the version it read (optimistic locking). */
    version: int('version', { unsigned: true }).notNull(),
    /** occurredAt of the newest movement applied here: what a store count is compared with. */
    lastMovementAt: datetime('last_movement_at', { fsp: 3 }).notNull(),
    updatedAt: updatedAtColumn(),
  },
  (t) => [primaryKey({ columns: [t.sku, t.location] }), index('stock_levels_location_idx').on(t.location)],
);

/** One row per channel × order line: the units it still holds at its location. */
export const reservations = mysqlTable(
  'reservations',
  {
    lineKey: varchar('line_key', { length: 128 }).primaryKey(),
    sku: varchar('sku', { length: 64 }).notNull(),
    location: varchar('location', { length: 32 }).notNull(),
    channel: varchar('channel', { length: 16 }).notNull(),
    orderId: varchar('order_id', { length: 96 }),
    open: int('open').notNull(),
    updatedAt: updatedAtColumn(),
  },
  (t) => [index('reservations_level_idx').on(t.sku, t.location)],
);

/** A movement that took units reserved for open orders (a POS sale of a unit already sold online). */
export const stockIncidents = mysqlTable(
  'stock_incidents',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    movementKey: varchar('movement_key', { length: 191 }).notNull().unique(),
    kind: varchar('kind', { length: 16 }).notNull(),
    sku: varchar('sku', { length: 64 }).notNull(),
    location: varchar('location', { length: 32 }).notNull(),
    units: int('units').notNull(),
    orderIds: json('order_ids').$type<string[]>().notNull(),
    lineKeys: json('line_keys').$type<string[]>().notNull(),
    createdAt: createdAtColumn(),
  },
  (t) => [index('stock_incidents_sku_idx').on(t.sku)],
);

/** Units never offered online: per SKU (`scope` 'sku') or per PIM sub-department ('sub_department'); SKU wins. */
export const safetyStock = mysqlTable(
  'safety_stock',
  {
    scope: varchar('scope', { length: 16 }).notNull(),
    scopeKey: varchar('scope_key', { length: 64 }).notNull(),
    quantity: int('quantity').notNull(),
    updatedAt: updatedAtColumn(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.scopeKey] })],
);

/** Locations that are not stores (the store DB lists the stores): warehouses holding ledger stock. */
export const warehouses = mysqlTable('warehouses', {
  code: varchar('code', { length: 32 }).primaryKey(),
  name: varchar('name', { length: 128 }).notNull(),
  createdAt: createdAtColumn(),
});

/**
 * Per SKU: the ledger's change counter and the last one pushed to Shopify. A SKU whose pushed version lags is
 * pushed by `inventory-push/<queue>` (woken after the commit; it also sweeps the table).
 */
export const skuSync = mysqlTable(
  'sku_sync',
  {
    sku: varchar('sku', { length: 64 }).primaryKey(),
    ledgerVersion: bigint('ledger_version', { mode: 'number', unsigned: true }).notNull(),
    /**
     * Counts the ledger's own changes only (movements applied), not a request that Shopify look again
     * (`requestStockCheck`, `requestStockPush` also bump `ledger_version`): what the channels' ledger watch follows.
     */
    stockVersion: bigint('stock_version', { mode: 'number', unsigned: true }).notNull().default(0),
    pushedVersion: bigint('pushed_version', { mode: 'number', unsigned: true }).notNull().default(0),
    changedAt: datetime('changed_at', { fsp: 3 }).notNull(),
    pushedAt: datetime('pushed_at', { fsp: 3 }),
    /**
     * What Shopify's quantities were last set from (mapped locations, on_hand less other channels' reservations,
     * safety stock, a capping share), hashed: a change that leaves it equal (a Shopify order's own reservation)
     * needs no Shopify read or write.
     */
    pushedSignature: char('pushed_signature', { length: 32 }),
    /**
     * What Shopify offers of the SKU (its `available` summed over the mapped locations) as the last push read or set
     * it, and when: the other channels' senders leave room for it, less the Shopify orders the ledger has reserved
     * since (`shopifyExposure`). Before a write it holds the larger of the old and new offer. Null: never pushed.
     */
    shopifyOffered: int('shopify_offered'),
    shopifyOfferedAt: datetime('shopify_offered_at', { fsp: 3 }),
    /**
     * When the push must look again although the ledger did not move: Shopify's share was held down by a quantity an
     * Amazon channel replaced and may still show (`channel_listings.replaced`) until then.
     */
    recheckAt: datetime('recheck_at', { fsp: 3 }),
  },
  (t) => [index('sku_sync_changed_idx').on(t.changedAt), index('sku_sync_recheck_idx').on(t.recheckAt)],
);

/** High-water marks of the continuous pickup from the store DB (one row per source). */
export const pickupCursors = mysqlTable('pickup_cursors', {
  source: varchar('source', { length: 64 }).primaryKey(),
  posSaleId: bigint('pos_sale_id', { mode: 'number', unsigned: true }).notNull().default(0),
  stockUpdatedAt: datetime('stock_updated_at', { fsp: 3 }),
  updatedAt: updatedAtColumn(),
});
