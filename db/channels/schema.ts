import { createdAtColumn, updatedAtColumn } from '../columns';
import {
  datetime,
  index,
  int,
  json,
  mediumtext,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  text,
  varchar,
} from 'drizzle-orm/mysql-core';
import type { PartialRule } from '../../domain/channels/rules';

// Marketplace channels' tables (issue #13): allocation rules (versioned data) and per-channel sync state.

const channel = () => varchar('channel', { length: 32 }).notNull();
const sku = () => varchar('sku', { length: 64 }).notNull();

/** One row per accepted rules change; the highest version is in force. */
export const allocationRuleVersions = mysqlTable('allocation_rule_versions', {
  version: int('version').autoincrement().primaryKey(),
  author: varchar('author', { length: 64 }).notNull(),
  note: varchar('note', { length: 500 }).notNull().default(''),
  createdAt: createdAtColumn(),
});

/** The rules of a version: a channel's default (`sku` = '') and per-SKU overrides, each a validated partial rule. */
export const allocationRules = mysqlTable(
  'allocation_rules',
  {
    version: int('version').notNull(),
    channel: channel(),
    sku: varchar('sku', { length: 64 }).notNull().default(''),
    rule: json('rule').$type<PartialRule>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.version, t.channel, t.sku] })],
);

/**
 * What each channel should offer for a SKU (`allocated`, computed from the ledger's `available_to_sell` at
 * `ledgerVersion` under `ruleVersion`), what we last sent, and what the channel confirmed.
 */
export const channelListings = mysqlTable(
  'channel_listings',
  {
    channel: channel(),
    sku: sku(),
    /** Amazon's product type for listings patches and feed messages (required by both). */
    productType: varchar('product_type', { length: 64 }),
    allocated: int('allocated').notNull(),
    /** Vendor Central: `allocated` per warehouse (what each warehouse's locations hold, `shareOut`); null elsewhere. */
    split: json('split').$type<Record<string, number>>(),
    /** The ledger version the allocation was planned from; -1 for a SKU enrolled and not yet planned (not sent). */
    ledgerVersion: int('ledger_version').notNull().default(0),
    ruleVersion: int('rule_version').notNull().default(0),
    sent: int('sent'),
    sentAt: datetime('sent_at', { fsp: 3 }),
    confirmed: int('confirmed'),
    confirmedAt: datetime('confirmed_at', { fsp: 3 }),
    /**
     * A higher quantity the last confirmed one replaced: Amazon accepts a change before it shows it (up to ~15 minutes
     * for listings), so until then the listing may still sell from the old quantity (counted in what the other
     * channels leave room for, `AMAZON_LISTING_APPLY_MS` from `confirmed_at`).
     */
    replaced: int('replaced'),
    status: mysqlEnum('status', ['pending', 'sent', 'accepted', 'failed']).notNull().default('pending'),
    /**
     * Seller Central: units of orders placed before our last send (at `held_at`, when Amazon's quantity was read for
     * it) that the ledger had not read then. The send overwrote Amazon's quantity, so those sales show nowhere on the
     * listing; until the orders read passes `held_at` they are still sold-but-unread (held back from later sends, and
     * counted in what Shopify may not offer).
     */
    unreadHeld: int('unread_held').notNull().default(0),
    heldAt: datetime('held_at', { fsp: 3 }),
    /** The patch, feed or VDF transaction that carries `sent` (followed to its final status). */
    submissionId: varchar('submission_id', { length: 128 }),
    /** Sends that failed in a row; a failed SKU is retried after a backoff that grows with it. */
    failures: int('failures').notNull().default(0),
    /**
     * Looks in a row at a SKU held below its allocation by the other channels with nothing new to send: each waits
     * twice as long as the last (2 s to a minute), until a send of it is accepted.
     */
    rechecks: int('rechecks').notNull().default(0),
    retryAt: datetime('retry_at', { fsp: 3 }),
    updatedAt: updatedAtColumn(),
  },
  (t) => [
    primaryKey({ columns: [t.channel, t.sku] }),
    index('channel_listings_status_idx').on(t.channel, t.status),
    index('channel_listings_submission_idx').on(t.submissionId),
  ],
);

/** A SKU a channel refused or could not take, with the channel's own words; open until a later send is accepted. */
export const channelSyncErrors = mysqlTable(
  'channel_sync_errors',
  {
    channel: channel(),
    sku: sku(),
    code: varchar('code', { length: 64 }).notNull(),
    message: text('message').notNull(),
    firstSeen: datetime('first_seen', { fsp: 3 }).notNull(),
    lastSeen: datetime('last_seen', { fsp: 3 }).notNull(),
    attempts: int('attempts').notNull().default(1),
    resolvedAt: datetime('resolved_at', { fsp: 3 }),
  },
  (t) => [primaryKey({ columns: [t.channel, t.sku] }), index('channel_sync_errors_open_idx').on(t.resolvedAt)],
);

/** Feeds and VDF transactions in flight or finished: followed to their final status, even across restarts. */
export const channelSubmissions = mysqlTable(
  'channel_submissions',
  {
    id: varchar('id', { length: 128 }).primaryKey(),
    channel: channel(),
    kind: mysqlEnum('kind', ['listings-feed', 'vdf-inventory', 'listings-patch']).notNull(),
    items: int('items').notNull(),
    status: varchar('status', { length: 32 }).notNull(),
    /** The SKUs in message order (a feed's report names messages by position), as JSON. */
    skus: mediumtext('skus').notNull(),
    detail: text('detail'),
    createdAt: createdAtColumn(),
    finishedAt: datetime('finished_at', { fsp: 3 }),
  },
  (t) => [index('channel_submissions_created_idx').on(t.createdAt)],
);

/** One reconciliation pass of a channel: what was compared with the allocation and what was done about it. */
export const channelReconcileRuns = mysqlTable(
  'channel_reconcile_runs',
  {
    id: varchar('id', { length: 128 }).primaryKey(),
    channel: channel(),
    checked: int('checked').notNull(),
    drifted: int('drifted').notNull(),
    corrected: int('corrected').notNull(),
    failed: int('failed').notNull(),
    /** Units offered beyond the allocation (oversell exposure), summed over drifted SKUs. */
    unitsAtRisk: int('units_at_risk').notNull(),
    reportKey: varchar('report_key', { length: 512 }),
    createdAt: createdAtColumn(),
  },
  (t) => [index('channel_reconcile_runs_channel_idx').on(t.channel, t.createdAt)],
);

/** Where a channel reader left off (the Amazon orders poll's lastUpdatedAfter, the ledger watch's change mark). */
export const channelCursors = mysqlTable('channel_cursors', {
  name: varchar('name', { length: 64 }).primaryKey(),
  position: varchar('position', { length: 128 }).notNull(),
  updatedAt: updatedAtColumn(),
});
