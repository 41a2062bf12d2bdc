import { inArray, sql, type SQL } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import type { OrdersDb } from '../db/client';
import {
  customers,
  ingestCursors,
  lineItems,
  orders,
  refundLineItems,
  refunds,
  riskAssessments,
  taxLines,
} from '../db/orders/schema';
import type { OrderRows } from '../domain/orders';

export type UpsertOutcome = 'inserted' | 'updated' | 'stale';

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * ON DUPLICATE KEY UPDATE assignments that keep the stored row when the incoming one is older. MySQL applies
 * assignments left to right, so `updated_at_shopify` itself must come last or later guards would compare
 * against the new value.
 */
function guardedSet(row: Record<string, unknown>, key = 'id'): Record<string, SQL> {
  const cols = Object.keys(row).filter((k) => k !== key && k !== 'updatedAtShopify');
  const set: Record<string, SQL> = {};
  for (const k of cols)
    set[k] = sql.raw(`if(values(updated_at_shopify) >= updated_at_shopify, values(${snake(k)}), ${snake(k)})`);
  set.updatedAtShopify = sql.raw('greatest(updated_at_shopify, values(updated_at_shopify))');
  return set;
}
const plainSet = (row: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(
    Object.keys(row)
      .filter((k) => !keys.includes(k))
      .map((k) => [k, sql.raw(`values(${snake(k)})`)]),
  );

const CHUNK = 1000;
async function insertChunks<T extends Record<string, unknown>>(
  write: (rows: T[]) => Promise<unknown>,
  rows: T[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await write(rows.slice(i, i + CHUNK));
}

const isDeadlock = (err: unknown) => {
  const e = err as { errno?: number; cause?: { errno?: number } };
  const errno = e.errno ?? e.cause?.errno;
  return errno === 1213 || errno === 1205;
};

/** One order: see upsertOrders. */
export async function upsertOrder(db: OrdersDb, rows: OrderRows): Promise<UpsertOutcome> {
  return (await upsertOrders(db, [rows]))[0]!;
}

/**
 * Writes a batch of orders and everything under them in one transaction, keyed on Shopify ids, with
 * multi-row statements. Guarded by updatedAt twice: rows are locked and an order older than the stored one
 * is skipped whole ('stale'), and the order's own upsert compares in SQL, so even a writer that skipped the
 * lock could not move a row back in time. Child lists (line items, tax lines, risk assessments) are replaced
 * by what the winning version says; refunds only ever accumulate, as in Shopify.
 */
export async function upsertOrders(db: OrdersDb, batch: OrderRows[]): Promise<UpsertOutcome[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await upsertOnce(db, batch);
    } catch (err) {
      // Two writers replacing the same order's children can deadlock; MySQL rolled one back, so run it again.
      if (!isDeadlock(err) || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt + Math.random() * 20));
    }
  }
}

async function upsertOnce(db: OrdersDb, batch: OrderRows[]): Promise<UpsertOutcome[]> {
  if (!batch.length) return [];
  // The newest version of each order in the batch wins inside the batch too.
  const newest = new Map<number, OrderRows>();
  for (const r of batch) {
    const seen = newest.get(r.order.id);
    if (!seen || seen.order.updatedAtShopify <= r.order.updatedAtShopify) newest.set(r.order.id, r);
  }
  return db.transaction(async (tx) => {
    const ids = [...newest.keys()];
    const current = new Map(
      (
        await tx
          .select({ id: orders.id, updatedAt: orders.updatedAtShopify })
          .from(orders)
          .where(inArray(orders.id, ids))
          .orderBy(orders.id)
          .for('update')
      ).map((r) => [r.id, r.updatedAt.getTime()]),
    );
    const winners = [...newest.values()].filter(
      (r) => (current.get(r.order.id) ?? -Infinity) <= r.order.updatedAtShopify.getTime(),
    );
    const outcomes = batch.map((r): UpsertOutcome => {
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
    if (people.size) {
      const rows = [...people.values()];
      // Customers are shared by orders: the newest profile wins, decided in SQL.
      await tx
        .insert(customers)
        .values(rows)
        .onDuplicateKeyUpdate({ set: guardedSet(rows[0]!) });
    }
    const orderRows = winners.map((r) => r.order);
    await insertChunks(
      (rows) =>
        tx
          .insert(orders)
          .values(rows)
          .onDuplicateKeyUpdate({ set: guardedSet(orderRows[0]!) }),
      orderRows,
    );
    await replaceChildren(
      tx,
      lineItems,
      lineItems.orderId,
      winnerIds,
      winners.flatMap((r) => r.lineItems),
    );
    await replaceChildren(
      tx,
      taxLines,
      taxLines.orderId,
      winnerIds,
      winners.flatMap((r) => r.taxLines),
    );
    await replaceChildren(
      tx,
      riskAssessments,
      riskAssessments.orderId,
      winnerIds,
      winners.flatMap((r) => r.risks),
    );
    const refundRows = winners.flatMap((r) => r.refunds);
    if (refundRows.length)
      await tx
        .insert(refunds)
        .values(refundRows)
        .onDuplicateKeyUpdate({ set: plainSet(refundRows[0]!, ['id']) });
    const refundLines = winners.flatMap((r) => r.refundLineItems);
    if (refundLines.length)
      await tx
        .insert(refundLineItems)
        .values(refundLines)
        .onDuplicateKeyUpdate({ set: { quantity: sql`values(quantity)`, subtotal: sql`values(subtotal)` } });
    return outcomes;
  });
}

type Tx = Parameters<Parameters<OrdersDb['transaction']>[0]>[0];
async function replaceChildren<T extends Record<string, unknown>>(
  tx: Tx,
  table: MySqlTable,
  orderId: Parameters<typeof inArray>[0],
  orderIds: number[],
  rows: T[],
): Promise<void> {
  await tx.delete(table).where(inArray(orderId, orderIds));
  await insertChunks((chunk) => tx.insert(table).values(chunk as never), rows);
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
