import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  moveKeyPrefix,
  orderMovements,
  relocationMovements,
  type OrderStock,
} from '../../domain/inventory/order-movements';
import { lineKey } from '../../domain/inventory/movements';
import { taskQueueFor } from '../../domain/platform/task-queues';
import type { Ledger } from './ledger';
import type { LedgerReads } from './ledger-reads';
import { wakeStockPusher } from './stock-signals';

/**
 * Shopify orders → ledger reservations, applied off the order write's path: the order paths (webhook upsert,
 * re-read, incremental ingest) queue each stored order's stock content with the order (orders DB `ledger_queue`)
 * and `orderReservations` hands batches of it here. A line is reserved at its existing reservation's location,
 * else at the mapped store of the fulfillment order's assigned location (FulfillmentOrder.assignedLocation: "the
 * location where the fulfillment is expected to happen"), else, when the source did not say (a webhook body), at
 * the mapped location that can sell the most of it; its keys make every path and re-read count once.
 *
 * When a later read names the line's assigned location (a re-read after fulfillment_orders/order_routing_complete)
 * and the line's open reservation is held elsewhere, the reservation moves there (`relocationMovements`), so the
 * ledger holds the units back where Shopify committed them, not at both locations. The line's movements keep the
 * location of its first reserve (their content, and so their keys' hashes, never change); the ledger applies
 * releases and fulfilments where the line is now. One `order-reservations/<shop>` applies a shop's lines, so the
 * open units read for a move are the ones the move takes.
 */
export function createOrderReservations(deps: {
  inventory: Pool;
  pim: Pool;
  ledger: Ledger;
  reads: LedgerReads;
  publishedSkus: (skus: string[]) => Promise<Set<string>>;
  temporal: () => Promise<Client>;
}) {
  return async function reserveForOrders(batch: OrderStock[]): Promise<{ applied: number; incidents: number }> {
    const skus = [...new Set(batch.flatMap((o) => o.lines.map((l) => l.sku)))];
    if (!skus.length) return { applied: 0, incidents: 0 };
    const tracked = await deps.publishedSkus(skus);
    if (!tracked.size) return { applied: 0, incidents: 0 };
    const lineIds = batch.flatMap((o) =>
      o.lines.map((l) => lineKey({ channel: 'shopify', orderLineId: String(l.id) })),
    );
    // Where each line was first reserved (its reserve movement), else where it is held now.
    const [existing] = await deps.inventory.query<RowDataPacket[]>(
      'SELECT line_key, location FROM reservations WHERE line_key IN (?)',
      [lineIds],
    );
    const reservedAt = new Map(existing.map((r) => [r.line_key as string, r.location as string]));
    const reserveKeys = batch.flatMap((o) => o.lines.map((l) => `shopify/${o.shop}/line/${l.id}/reserve`));
    const [first] = await deps.inventory.query<RowDataPacket[]>(
      'SELECT order_line_id, location FROM movements WHERE movement_key IN (?)',
      [reserveKeys],
    );
    for (const r of first)
      reservedAt.set(lineKey({ channel: 'shopify', orderLineId: String(r.order_line_id) }), r.location);
    const [mapped] = await deps.pim.query<RowDataPacket[]>(
      'SELECT store_code, shopify_location_id FROM location_mappings WHERE active = TRUE ORDER BY store_code',
    );
    const online = mapped.map((r) => r.store_code as string);
    const storeOf = new Map(mapped.map((r) => [r.shopify_location_id as string, r.store_code as string]));
    const levels = await deps.reads.levelsOf([...tracked]);
    const best = (sku: string) =>
      levels
        .filter((l) => l.sku === sku && online.includes(l.location))
        .sort((a, b) => b.availableToSell - a.availableToSell || a.location.localeCompare(b.location))[0]?.location ??
      online[0];
    const movements = batch.flatMap((o) =>
      orderMovements(
        o,
        (sku, lineId, shopifyLocation) =>
          reservedAt.get(lineKey({ channel: 'shopify', orderLineId: lineId })) ??
          (shopifyLocation ? storeOf.get(shopifyLocation) : undefined) ??
          best(sku),
        (sku) => tracked.has(sku),
        (shopifyLocation) => storeOf.get(shopifyLocation),
      ),
    );
    const r = await deps.ledger.applyMovements(movements, { source: 'shopify-orders' });
    const moved = await relocate(batch, tracked, storeOf);
    const changed = r.changedSkus.length + moved.changedSkus.length;
    if (changed) {
      const queue = taskQueueFor('shopify', Context.current().info.taskQueue);
      await wakeStockPusher(await deps.temporal(), queue);
    }
    return { applied: r.applied + moved.applied, incidents: r.incidents.length + moved.incidents.length };
  };

  /** Lines whose assigned location maps to another store than the one holding their open units: moved there. */
  async function relocate(batch: OrderStock[], tracked: Set<string>, storeOf: Map<string, string>) {
    const target = new Map<string, { shop: string; orderId: string; at: string; to: string }>();
    for (const o of batch)
      for (const l of o.lines) {
        const to = l.locationId ? storeOf.get(l.locationId) : undefined;
        if (to && tracked.has(l.sku))
          target.set(String(l.id), { shop: o.shop, orderId: String(o.orderId), at: o.createdAt, to });
      }
    const none = { applied: 0, incidents: [], changedSkus: [] };
    if (!target.size) return none;
    // Read after this batch's own movements: the open units a move takes are the ones left now.
    const [held] = await deps.inventory.query<RowDataPacket[]>(
      'SELECT line_key, sku, location, open FROM reservations WHERE line_key IN (?) AND open > 0',
      [[...target.keys()].map((id) => lineKey({ channel: 'shopify', orderLineId: id }))],
    );
    const toMove = held.flatMap((h) => {
      const orderLineId = (h.line_key as string).slice('shopify:'.length);
      const t = target.get(orderLineId)!;
      return h.location === t.to
        ? []
        : [{ h, orderLineId, t, prefix: moveKeyPrefix(t.shop, orderLineId, h.location, t.to) }];
    });
    if (!toMove.length) return none;
    // How often each line made this same move before (A → B, back, A → B again): the next one's key is new.
    const [before] = await deps.inventory.query<RowDataPacket[]>(
      `SELECT movement_key FROM movements WHERE ${toMove.map(() => 'movement_key LIKE ?').join(' OR ')}`,
      toMove.map((m) => `${m.prefix.replace(/[\\%_]/g, '\\$&')}%release`),
    );
    const moves = toMove.flatMap(({ h, orderLineId, t, prefix }) =>
      relocationMovements(
        t.shop,
        { orderLineId, orderId: t.orderId, sku: h.sku, location: h.location, open: Number(h.open) },
        t.to,
        t.at,
        before.filter((b) => (b.movement_key as string).startsWith(prefix)).length,
      ),
    );
    if (!moves.length) return none;
    return deps.ledger.applyMovements(moves, { source: 'shopify-orders' });
  }
}

export type ReserveForOrders = ReturnType<typeof createOrderReservations>;
