import { sql } from 'drizzle-orm';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { OrdersDb } from '../../db/client';
import { ingestCursors } from '../../db/orders/schema';
import type { OrderRows } from '../../domain/orders/orders';
import { queueOrderStock } from './ledger-queue';
import { findConflicts, recordConflicts, refuses, type OrderConflict } from './orders-conflicts';

/** 'conflict': refused, because it would overwrite another order's rows (recorded in order_write_conflicts). */
export type UpsertOutcome = 'inserted' | 'updated' | 'stale' | 'conflict';

type Row = Record<string, unknown>;
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const cell = (v: unknown) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v);

/**
 * ON DUPLICATE KEY UPDATE assignments that keep the stored row when the incoming one is older. MySQL applies
 * assignments left to right, so `updated_at_shopify` itself must come last or later guards would compare
 * against the new value.
 */
function guardedUpdate(cols: string[], key: string): string {
  const guarded = cols
    .filter((c) => c !== key && c !== 'updated_at_shopify')
    .map((c) => `${c} = if(values(updated_at_shopify) >= updated_at_shopify, values(${c}), ${c})`);
  return [...guarded, 'updated_at_shopify = greatest(updated_at_shopify, values(updated_at_shopify))'].join(', ');
}
const plainUpdate = (cols: string[], keys: string[]) =>
  cols
    .filter((c) => !keys.includes(c))
    .map((c) => `${c} = values(${c})`)
    .join(', ');

const CHUNK = 1000;
/**
 * Multi-row INSERT through mysql2's parameter expansion (`VALUES ?`): every value is escaped by the driver, only
 * table and column names (from our own row types) are interpolated. Much cheaper than building 15,000-parameter
 * statements through the query builder, which dominated the historical backfill.
 */
async function insertRows(conn: PoolConnection, table: string, rows: Row[], onDuplicate?: (cols: string[]) => string) {
  if (!rows.length) return;
  const keys = Object.keys(rows[0]!);
  const cols = keys.map(snake);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows.slice(i, i + CHUNK).map((r) => keys.map((k) => cell(r[k])));
    const upsert = onDuplicate ? ` ON DUPLICATE KEY UPDATE ${onDuplicate(cols)}` : '';
    await conn.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ?${upsert}`, [values]);
  }
}

const isDeadlock = (err: unknown) => {
  const errno = (err as { errno?: number }).errno;
  return errno === 1213 || errno === 1205;
};

/** One order: see upsertOrders. */
export async function upsertOrder(db: OrdersDb, rows: OrderRows): Promise<UpsertOutcome> {
  return (await upsertOrders(db, [rows]))[0]!;
}

/** One order, with the conflicts that refused or flagged it. */
export async function upsertOrderReporting(
  db: OrdersDb,
  rows: OrderRows,
  opts: UpsertOptions = {},
): Promise<{ outcome: UpsertOutcome; conflicts: OrderConflict[] }> {
  const conflicts: OrderConflict[] = [];
  const [outcome] = await upsertOrders(db, [rows], conflicts, opts);
  return { outcome: outcome!, conflicts };
}

export interface UpsertOptions {
  /**
   * Queue each written order's stock content for the ledger (`ledger_queue`) in the same transaction: the order
   * paths that reserve stock (webhook, re-read, incremental ingest); history backfills do not.
   */
  queueStock?: boolean;
}

/**
 * Writes a batch of orders and everything under them in one transaction, keyed on Shopify ids, with
 * multi-row statements. Guarded by updatedAt twice: rows are locked and an order older than the stored one
 * is skipped whole ('stale'), and the order's own upsert compares in SQL, so even a writer that skipped the
 * lock could not move a row back in time. Child lists (line items, tax lines, risk assessments, refund lines)
 * are replaced by what the winning version says when its source was complete (`complete`); a partial source
 * only adds and updates rows. Refunds only ever accumulate, as in Shopify. A write that would overwrite
 * another order's rows (a reused id) is refused and recorded (outcome 'conflict', pushed to `conflicts`).
 */
export async function upsertOrders(
  db: OrdersDb,
  batch: OrderRows[],
  conflicts: OrderConflict[] = [],
  opts: UpsertOptions = {},
): Promise<UpsertOutcome[]> {
  if (!batch.length) return [];
  const pool = (db as unknown as { $client: Pool }).$client;
  for (let attempt = 0; ; attempt++) {
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      const found: OrderConflict[] = [];
      const outcomes = await upsertOnce(conn, batch, found, opts);
      await conn.commit();
      conflicts.push(...found);
      return outcomes;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      // Two writers replacing the same order's children can deadlock; MySQL rolled one back, so run it again.
      if (!isDeadlock(err) || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
    } finally {
      conn.release();
    }
  }
}

async function upsertOnce(
  conn: PoolConnection,
  batch: OrderRows[],
  found: OrderConflict[],
  opts: UpsertOptions,
): Promise<UpsertOutcome[]> {
  // The newest version of each order in the batch wins inside the batch too.
  const newest = new Map<number, OrderRows>();
  for (const r of batch) {
    const seen = newest.get(r.order.id);
    if (!seen || seen.order.updatedAtShopify <= r.order.updatedAtShopify) newest.set(r.order.id, r);
  }
  const ids = [...newest.keys()];
  const [locked] = (await conn.query(
    'SELECT id, updated_at_shopify AS updatedAt, created_at_shopify AS createdAt FROM orders WHERE id IN (?) ORDER BY id FOR UPDATE',
    [ids],
  )) as unknown as [{ id: number | string; updatedAt: Date; createdAt: Date }[]];
  const current = new Map(locked.map((r) => [Number(r.id), r.updatedAt.getTime()]));
  const created = new Map(locked.map((r) => [Number(r.id), { createdAt: r.createdAt.getTime() }]));
  const candidates = [...newest.values()].filter(
    (r) => (current.get(r.order.id) ?? -Infinity) <= r.order.updatedAtShopify.getTime(),
  );
  const conflicts = await findConflicts(conn, candidates, created);
  await recordConflicts(conn, conflicts);
  found.push(...conflicts);
  const refused = new Set(conflicts.filter(refuses).map((c) => c.orderId));
  const winners = candidates.filter((r) => !refused.has(r.order.id));
  const outcomes = batch.map((r): UpsertOutcome => {
    if (refused.has(r.order.id) && newest.get(r.order.id) === r) return 'conflict';
    const stored = current.get(r.order.id);
    if (stored === undefined) return 'inserted';
    return newest.get(r.order.id) === r && stored <= r.order.updatedAtShopify.getTime() ? 'updated' : 'stale';
  });
  if (!winners.length) return outcomes;
  const winnerIds = winners.map((r) => r.order.id);

  const people = new Map<number, NonNullable<OrderRows['customer']>>();
  for (const r of winners)
    if (r.customer && (people.get(r.customer.id)?.updatedAtShopify ?? 0) <= r.customer.updatedAtShopify)
      people.set(r.customer.id, r.customer);
  // Customers are shared by orders: the newest profile wins, decided in SQL.
  await insertRows(conn, 'customers', [...people.values()], (cols) => guardedUpdate(cols, 'id'));
  // Orders whose source carried no risk keep the stored risk columns: they are written without them.
  const withRisk = winners.filter((r) => r.riskKnown);
  const withoutRisk = winners
    .filter((r) => !r.riskKnown)
    .map(({ order: { riskLevel: _l, riskRecommendation: _r, flaggedHighRisk: _f, ...rest } }) => rest);
  for (const group of [withRisk.map((r) => r.order), withoutRisk])
    await insertRows(conn, 'orders', group, (cols) => guardedUpdate(cols, 'id'));
  // Only a complete list may replace the stored one; a partial list adds and updates (no conflict is left:
  // every line item id in the batch is this order's or new).
  const fullLines = winners.filter((r) => r.complete.lineItems).map((r) => r.order.id);
  if (fullLines.length) await conn.query('DELETE FROM line_items WHERE order_id IN (?)', [fullLines]);
  await insertRows(
    conn,
    'line_items',
    winners.flatMap((r) => r.lineItems),
    (cols) => plainUpdate(cols, ['id']),
  );
  await conn.query('DELETE FROM tax_lines WHERE order_id IN (?)', [winnerIds]);
  await insertRows(
    conn,
    'tax_lines',
    winners.flatMap((r) => r.taxLines),
  );
  if (withRisk.length) {
    await conn.query('DELETE FROM risk_assessments WHERE order_id IN (?)', [withRisk.map((r) => r.order.id)]);
    await insertRows(
      conn,
      'risk_assessments',
      withRisk.flatMap((r) => r.risks),
    );
  }
  await insertRows(
    conn,
    'refunds',
    winners.flatMap((r) => r.refunds),
    (cols) => plainUpdate(cols, ['id']),
  );
  const fullRefundLines = winners.filter((r) => r.complete.refundLineItems).flatMap((r) => r.refunds.map((x) => x.id));
  if (fullRefundLines.length)
    await conn.query('DELETE FROM refund_line_items WHERE refund_id IN (?)', [fullRefundLines]);
  await insertRows(
    conn,
    'refund_line_items',
    winners.flatMap((r) => r.refundLineItems),
    (cols) => plainUpdate(cols, ['refund_id', 'line_item_id']),
  );
  if (opts.queueStock) await queueOrderStock(conn, winners);
  return outcomes;
}

export async function readCursor(db: OrdersDb, pipeline: string, shop: string): Promise<Date | null> {
  const [row] = await db
    .select()
    .from(ingestCursors)
    .where(sql`${ingestCursors.pipeline} = ${pipeline} and ${ingestCursors.shop} = ${shop}`);
  return row?.cursorUpdatedAt ?? null;
}

/** Moves a cursor forward only (a replayed, older save never moves it back). */
export async function saveCursor(db: OrdersDb, pipeline: string, shop: string, at: Date): Promise<void> {
  await db
    .insert(ingestCursors)
    .values({ pipeline, shop, cursorUpdatedAt: at, cursorId: 0 })
    .onDuplicateKeyUpdate({ set: { cursorUpdatedAt: sql`greatest(cursor_updated_at, values(cursor_updated_at))` } });
}
