// Source extraction's tables (issue #14): cursors per source and entity, and source credentials.
import { sql } from 'drizzle-orm';
import { boolean, datetime, int, json, mysqlTable, primaryKey, varchar } from 'drizzle-orm/mysql-core';
import { updatedAtColumn } from '../columns';

/**
 * The one place a Lightspeed account's credential lives. Tokens are AES-GCM ciphertext (connectors/lightspeed/
 * token-crypto.ts). A refresh writes the new pair into `pending_*` before anything uses it, then promotes it; a
 * run that finds a pending pair (a crash between the two) promotes it first, since the current one is spent.
 */
export const lightspeedCredentials = mysqlTable('lightspeed_credentials', {
  accountId: varchar('account_id', { length: 32 }).primaryKey(),
  refreshToken: varchar('refresh_token', { length: 512 }).notNull(),
  accessToken: varchar('access_token', { length: 512 }),
  accessExpiresAt: datetime('access_expires_at', { fsp: 3 }),
  pendingRefreshToken: varchar('pending_refresh_token', { length: 512 }),
  pendingAccessToken: varchar('pending_access_token', { length: 512 }),
  pendingAccessExpiresAt: datetime('pending_access_expires_at', { fsp: 3 }),
  /** Set just before the token endpoint is called, cleared by the save: still set after a crash = reply unknown. */
  refreshStartedAt: datetime('refresh_started_at', { fsp: 3 }),
  rotations: int('rotations').notNull().default(0),
  /** The refresh token was refused (invalid_grant): the merchant must connect the app again. */
  needsReauthorization: boolean('needs_reauthorization').notNull().default(false),
  updatedAt: updatedAtColumn(),
});

/** Incremental windows per shop and entity: the `timeStamp` an extraction has fully written up to. */
export const lightspeedCursors = mysqlTable(
  'lightspeed_cursors',
  {
    accountId: varchar('account_id', { length: 32 }).notNull(),
    shopId: int('shop_id').notNull(),
    entity: varchar('entity', { length: 32 }).notNull(),
    cursorTime: datetime('cursor_time', { fsp: 3 }).notNull(),
    updatedAt: updatedAtColumn(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.shopId, t.entity] })],
);

/** One row per shop and day extracted: what was written and how it compares with the accounting report. */
export const lightspeedDays = mysqlTable(
  'lightspeed_days',
  {
    accountId: varchar('account_id', { length: 32 }).notNull(),
    shopId: int('shop_id').notNull(),
    day: varchar('day', { length: 10 }).notNull(),
    sales: int('sales').notNull(),
    saleLines: int('sale_lines').notNull(),
    /** 'matches' | 'differs' (see differences) | 'unreconciled' (the report could not be read). */
    reconciliation: varchar('reconciliation', { length: 16 }).notNull(),
    differences: json('differences')
      .$type<ReconcileDifference[]>()
      .notNull()
      .default(sql`('[]')`),
    extractedAt: datetime('extracted_at', { fsp: 3 }).notNull(),
    updatedAt: updatedAtColumn(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.shopId, t.day] })],
);

export interface ReconcileDifference {
  /** e.g. `payment:Cash`, `tax1:Item`. */
  measure: string;
  lake: string;
  report: string;
}
