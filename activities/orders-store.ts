import { eq, sql } from 'drizzle-orm';
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

const setAll = <T extends Record<string, unknown>>(row: T, except: string[] = []) =>
  Object.fromEntries(
    Object.keys(row)
      .filter((k) => !except.includes(k))
      .map((k) => [k, sql.raw(`values(${snake(k)})`)]),
  );
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Writes one order and everything under it, keyed on Shopify ids. Guarded by updatedAt under a row lock:
 * a version older than the stored one is ignored whole ('stale'), so late or replayed data never wins.
 */
export async function upsertOrder(db: OrdersDb, rows: OrderRows): Promise<UpsertOutcome> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ updatedAt: orders.updatedAtShopify })
      .from(orders)
      .where(eq(orders.id, rows.order.id))
      .for('update');
    if (current && current.updatedAt.getTime() > rows.order.updatedAtShopify.getTime()) return 'stale';
    if (rows.customer) {
      // Customers are shared by orders: the newest profile wins.
      const c = rows.customer;
      await tx
        .insert(customers)
        .values(c)
        .onDuplicateKeyUpdate({
          set: Object.fromEntries(
            ['email', 'phone', 'first_name', 'last_name', 'updated_at_shopify'].map((col) => [
              col === 'first_name'
                ? 'firstName'
                : col === 'last_name'
                  ? 'lastName'
                  : col === 'updated_at_shopify'
                    ? 'updatedAtShopify'
                    : col,
              sql.raw(`if(values(updated_at_shopify) >= updated_at_shopify, values(${col}), ${col})`),
            ]),
          ),
        });
    }
    await tx
      .insert(orders)
      .values(rows.order)
      .onDuplicateKeyUpdate({ set: setAll(rows.order, ['id']) });
    // Lists are replaced by what this version says (a line item or tax line can disappear in an edit).
    await tx.delete(lineItems).where(eq(lineItems.orderId, rows.order.id));
    if (rows.lineItems.length) await tx.insert(lineItems).values(rows.lineItems);
    await tx.delete(taxLines).where(eq(taxLines.orderId, rows.order.id));
    if (rows.taxLines.length) await tx.insert(taxLines).values(rows.taxLines);
    if (rows.refunds.length)
      await tx
        .insert(refunds)
        .values(rows.refunds)
        .onDuplicateKeyUpdate({ set: setAll(rows.refunds[0]!, ['id']) });
    if (rows.refundLineItems.length)
      await tx
        .insert(refundLineItems)
        .values(rows.refundLineItems)
        .onDuplicateKeyUpdate({ set: { quantity: sql`values(quantity)`, subtotal: sql`values(subtotal)` } });
    if (rows.risks.length)
      await tx
        .insert(riskAssessments)
        .values(rows.risks)
        .onDuplicateKeyUpdate({
          set: {
            riskLevel: sql`values(risk_level)`,
            recommendation: sql`values(recommendation)`,
            facts: sql`values(facts)`,
          },
        });
    return current ? 'updated' : 'inserted';
  });
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
