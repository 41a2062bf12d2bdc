import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { orderMovements, type OrderStock } from '../../domain/inventory/order-movements';
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
    const [existing] = await deps.inventory.query<RowDataPacket[]>(
      'SELECT line_key, location FROM reservations WHERE line_key IN (?)',
      [lineIds],
    );
    const reservedAt = new Map(existing.map((r) => [r.line_key as string, r.location as string]));
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
    if (!movements.length) return { applied: 0, incidents: 0 };
    const r = await deps.ledger.applyMovements(movements, { source: 'shopify-orders' });
    if (r.changedSkus.length) {
      const queue = taskQueueFor('shopify', Context.current().info.taskQueue);
      await wakeStockPusher(await deps.temporal(), queue);
    }
    return { applied: r.applied, incidents: r.incidents.length };
  };
}

export type ReserveForOrders = ReturnType<typeof createOrderReservations>;
