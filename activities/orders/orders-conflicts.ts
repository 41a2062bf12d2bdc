import { ApplicationFailure } from '@temporalio/activity';
import type { PoolConnection } from 'mysql2/promise';
import type { OrderRows } from '../../domain/orders/orders';
import type { UpsertOutcome } from './orders-store';

/** Why a write would have overwritten another order's rows (Shopify never reuses an id). */
export type ConflictReason = 'ORDER_ID_REUSED' | 'LINE_ITEM_ID_OWNED' | 'REFUND_ID_OWNED' | 'ORDER_NUMBER_TAKEN';

export interface OrderConflict {
  orderId: number;
  shop: string;
  reason: ConflictReason;
  detail: Record<string, unknown>;
}

/** Reasons that refuse the write (storing it would overwrite or steal another order's rows). */
const REFUSING = new Set<ConflictReason>(['ORDER_ID_REUSED', 'LINE_ITEM_ID_OWNED', 'REFUND_ID_OWNED']);
export const refuses = (c: OrderConflict) => REFUSING.has(c.reason);

type Owned = { id: number | string; orderId: number | string };

/**
 * Finds what in `batch` belongs to another order already stored: an order id stored with another creation
 * time (a different order under a reused id), line item and refund ids stored under another order, and order
 * numbers another order of the shop has. `stored` holds the locked orders' creation times.
 */
export async function findConflicts(
  conn: PoolConnection,
  batch: OrderRows[],
  stored: Map<number, { createdAt: number }>,
): Promise<OrderConflict[]> {
  const out: OrderConflict[] = [];
  if (!batch.length) return out;
  const add = (r: OrderRows, reason: ConflictReason, detail: Record<string, unknown>) =>
    out.push({ orderId: r.order.id, shop: r.order.shop, reason, detail });
  for (const r of batch) {
    const had = stored.get(r.order.id);
    if (had && had.createdAt !== r.order.createdAtShopify.getTime())
      add(r, 'ORDER_ID_REUSED', {
        storedCreatedAt: new Date(had.createdAt).toISOString(),
        incomingCreatedAt: r.order.createdAtShopify.toISOString(),
        name: r.order.name,
      });
  }
  const owners = async (table: string, ids: number[]) => {
    if (!ids.length) return new Map<number, number>();
    const [rows] = (await conn.query(`SELECT id, order_id AS orderId FROM ${table} WHERE id IN (?)`, [
      ids,
    ])) as unknown as [Owned[]];
    return new Map(rows.map((o) => [Number(o.id), Number(o.orderId)]));
  };
  const lineOwners = await owners(
    'line_items',
    batch.flatMap((r) => r.lineItems.map((l) => l.id)),
  );
  const refundOwners = await owners(
    'refunds',
    batch.flatMap((r) => r.refunds.map((x) => x.id)),
  );
  for (const r of batch) {
    const lines = r.lineItems.filter((l) => (lineOwners.get(l.id) ?? l.orderId) !== l.orderId);
    if (lines.length)
      add(r, 'LINE_ITEM_ID_OWNED', {
        lineItems: lines.slice(0, 20).map((l) => ({ id: l.id, ownedBy: lineOwners.get(l.id) })),
        count: lines.length,
      });
    const refunds = r.refunds.filter((x) => (refundOwners.get(x.id) ?? x.orderId) !== x.orderId);
    if (refunds.length)
      add(r, 'REFUND_ID_OWNED', { refunds: refunds.map((x) => ({ id: x.id, ownedBy: refundOwners.get(x.id) })) });
  }
  const names = batch.map((r) => [r.order.shop, r.order.name]);
  const [taken] = (await conn.query('SELECT id, shop, name FROM orders WHERE (shop, name) IN (?)', [
    names,
  ])) as unknown as [{ id: number | string; shop: string; name: string }[]];
  for (const r of batch) {
    const other = taken.find((t) => t.shop === r.order.shop && t.name === r.order.name && Number(t.id) !== r.order.id);
    if (other) add(r, 'ORDER_NUMBER_TAKEN', { name: r.order.name, takenBy: Number(other.id) });
  }
  return out;
}

/** Records conflicts (one open row per order and reason, its last_seen and detail refreshed). */
export async function recordConflicts(conn: PoolConnection, conflicts: OrderConflict[]): Promise<void> {
  if (!conflicts.length) return;
  await conn.query(
    `INSERT INTO order_write_conflicts (order_id, reason, shop, detail) VALUES ?
     ON DUPLICATE KEY UPDATE detail = values(detail), last_seen = CURRENT_TIMESTAMP(3), resolved_at = NULL`,
    [conflicts.map((c) => [c.orderId, c.reason, c.shop, JSON.stringify(c.detail)])],
  );
}

export const conflictMessage = (orderId: number, conflicts: OrderConflict[]) =>
  `order ${orderId} was not written: ${conflicts.map((c) => `${c.reason} ${JSON.stringify(c.detail)}`).join('; ')}`;

/**
 * A single-order write that was refused: retrying reads the same ids again, so it fails for good, with the
 * conflict recorded in order_write_conflicts for the ops console.
 */
export function failOnConflict(outcome: UpsertOutcome, orderId: number, conflicts: OrderConflict[]): UpsertOutcome {
  if (outcome !== 'conflict') return outcome;
  throw ApplicationFailure.nonRetryable(conflictMessage(orderId, conflicts), 'OrderWriteConflict');
}
