import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { orderStockOf, type OrderStock } from '../../domain/inventory/order-movements';
import type { OrderRows } from '../../domain/orders/orders';
import { orderReservationsRun } from '../../domain/orders/run-summaries';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { keptAlive } from '../channels/keep-alive';

/**
 * The order write → ledger hand-over. The order paths queue what each written order means for stock in the same
 * transaction as its rows (so a stored order can never miss its reservations), then nudge `orderReservations`,
 * which applies the queue in batches. The webhook's write no longer waits for the ledger (its optimistic-locking
 * batch, its level reads, the inventory-sync signals): that was what put webhook → row p95 at 6.6 s.
 */
export async function queueOrderStock(conn: PoolConnection, written: OrderRows[]): Promise<number> {
  const stocks = written.flatMap((r) => orderStockOf(r) ?? []);
  if (!stocks.length) return 0;
  await keepQueuedLocations(conn, stocks);
  const rows = stocks.map((stock) => [stock.orderId, stock.shop, JSON.stringify(stock)]);
  // A rewrite bumps the generation: a drain that read the older content deletes only what it applied.
  await conn.query(
    'INSERT INTO ledger_queue (order_id, shop, stock) VALUES ? ON DUPLICATE KEY UPDATE generation = generation + 1, shop = VALUES(shop), stock = VALUES(stock)',
    [rows],
  );
  return rows.length;
}

/**
 * A webhook body carries no fulfillment orders: a line it queues without a location keeps the one a re-read queued
 * before it (still waiting), or the routing re-read that came first would be lost and the line reserved elsewhere.
 */
async function keepQueuedLocations(conn: PoolConnection, stocks: OrderStock[]): Promise<void> {
  const missing = stocks.filter((s) => s.lines.some((l) => !l.locationId));
  if (!missing.length) return;
  const [queued] = await conn.query<RowDataPacket[]>('SELECT order_id, stock FROM ledger_queue WHERE order_id IN (?)', [
    missing.map((s) => s.orderId),
  ]);
  const before = new Map(
    queued.map((r) => [
      Number(r.order_id),
      (typeof r.stock === 'string' ? JSON.parse(r.stock) : r.stock) as OrderStock,
    ]),
  );
  for (const s of missing) {
    const at = new Map((before.get(s.orderId)?.lines ?? []).map((l) => [l.id, l.locationId]));
    for (const l of s.lines) l.locationId = l.locationId || at.get(l.id) || null;
  }
}

/**
 * Routed orders' stock (`routedOrderStocks`: lines and their assigned locations, read after the routing webhook).
 * An order whose stock still waits in the queue keeps it, its lines taking the assigned locations (its refunds and
 * status are the order write's); any other is queued as read, and the ledger moves or makes its reservations.
 * A webhook write that read the queue before this committed can still overwrite it with its location-less lines
 * (as two order writes could before); the ingest's fulfillment-order reads move such a line within one run.
 */
export async function queueRoutedStock(orders: Pool, routed: OrderStock[]): Promise<number> {
  if (!routed.length) return 0;
  const conn = await orders.getConnection();
  try {
    await conn.beginTransaction();
    const [queued] = await conn.query<RowDataPacket[]>(
      'SELECT order_id, stock FROM ledger_queue WHERE order_id IN (?) FOR UPDATE',
      [routed.map((r) => r.orderId)],
    );
    const before = new Map(
      queued.map((r) => [
        Number(r.order_id),
        (typeof r.stock === 'string' ? JSON.parse(r.stock) : r.stock) as OrderStock,
      ]),
    );
    const merged = routed.map((r) => {
      const q = before.get(r.orderId);
      if (!q) return r;
      const at = new Map(r.lines.map((l) => [l.id, l.locationId]));
      const known = new Set(q.lines.map((l) => l.id));
      return {
        ...q,
        lines: [
          ...q.lines.map((l) => ({ ...l, locationId: at.get(l.id) ?? l.locationId ?? null })),
          ...r.lines.filter((l) => !known.has(l.id)),
        ],
      };
    });
    await conn.query(
      'INSERT INTO ledger_queue (order_id, shop, stock) VALUES ? ON DUPLICATE KEY UPDATE generation = generation + 1, shop = VALUES(shop), stock = VALUES(stock)',
      [merged.map((m) => [m.orderId, m.shop, JSON.stringify(m)])],
    );
    await conn.commit();
    return merged.length;
  } catch (err) {
    await conn.rollback();
    throw err;
  } finally {
    conn.release();
  }
}

/** `order-reservations/<shop>`; under a test's queue prefix `…@<queue>`, so test files never share one. */
export const orderReservationsWorkflowId = (shop: string, dataQueue: string) =>
  dataQueue === 'data' ? `order-reservations/${shop}` : `order-reservations/${shop}@${dataQueue}`;

/** Starts (or signals the running) `orderReservations` for the shop: something was queued. */
export async function signalStockQueued(client: Client, dataQueue: string, shop: string): Promise<void> {
  await client.workflow.signalWithStart<(input: { shop: string }) => Promise<unknown>, []>('orderReservations', {
    workflowId: orderReservationsWorkflowId(shop, dataQueue),
    taskQueue: dataQueue,
    args: [{ shop }],
    signal: 'stockQueued',
    signalArgs: [],
    ...orderReservationsRun(shop),
    typedSearchAttributes: [
      { key: SA.Pipeline, value: 'order-reservations' },
      { key: SA.Channel, value: 'shopify' },
      { key: SA.SyncStatus, value: 'Running' },
    ],
  });
}

/**
 * The nudge after a queued write, sent off the write's path: at most one signal per queue every `delayMs`, sent
 * after every write that asked (trailing edge), so a burst of webhooks costs two signals a second, not one each
 * (every signal is a workflow task and a drain on the worker that also runs the upserts: at 50 ms the webhook bench
 * got slower, not faster). A signal lost to a crash is made up by the next write's, by the workflow's own sweep
 * while it runs, and by the ingest.
 */
export function createStockQueueNudge(deps: { temporal: () => Promise<Client>; shop: string; delayMs?: number }) {
  const timers = new Map<string, NodeJS.Timeout>();
  return function nudge(): void {
    const ctx = Context.current();
    const queue = taskQueueFor('data', ctx.info.taskQueue);
    if (timers.has(queue)) return;
    timers.set(
      queue,
      setTimeout(() => {
        timers.delete(queue);
        deps
          .temporal()
          .then((client) => signalStockQueued(client, queue, deps.shop))
          .catch((err: Error) =>
            ctx.log.warn('order reservations not nudged (the next write or sweep will)', { err: err.message }),
          );
      }, deps.delayMs ?? 500),
    );
  };
}
export type StockQueueNudge = ReturnType<typeof createStockQueueNudge>;

/** Nudges when anything waits in the queue (the ingest's sweep, for a signal lost to a crash). */
export async function nudgeIfQueued(orders: Pool, nudge: StockQueueNudge): Promise<void> {
  const [rows] = await orders.query<RowDataPacket[]>('SELECT 1 FROM ledger_queue LIMIT 1');
  if (rows.length) nudge();
}

export interface QueueDrain {
  orders: number;
  applied: number;
  incidents: number;
  /** Rows are left beyond this batch. */
  more: boolean;
  left: number;
}

/** Applies the oldest queued orders' movements to the ledger, then removes exactly the versions it applied. */
export function createLedgerQueueActivities(deps: {
  orders: Pool;
  reserve: (batch: OrderStock[]) => Promise<{ applied: number; incidents: number }>;
}) {
  return keptAlive({
    async applyQueuedReservations(limit = 50): Promise<QueueDrain> {
      const [rows] = await deps.orders.query<RowDataPacket[]>(
        'SELECT order_id, generation, stock FROM ledger_queue ORDER BY queued_at, order_id LIMIT ?',
        [limit],
      );
      if (!rows.length) return { orders: 0, applied: 0, incidents: 0, more: false, left: 0 };
      const batch = rows.map((r) => (typeof r.stock === 'string' ? JSON.parse(r.stock) : r.stock) as OrderStock);
      const r = await deps.reserve(batch);
      await deps.orders.query('DELETE FROM ledger_queue WHERE (order_id, generation) IN (?)', [
        rows.map((x) => [x.order_id, x.generation]),
      ]);
      const [[left]] = await deps.orders.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM ledger_queue');
      return { orders: rows.length, ...r, more: Number(left!.n) > 0, left: Number(left!.n) };
    },
  });
}
