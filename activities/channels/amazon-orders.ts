import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { AmazonClient } from '../../connectors/amazon';
import { amazonOrderMovements, type AmazonOrderLite } from '../../domain/channels/amazon-orders';
import { taskQueueFor } from '../../domain/platform/task-queues';
import type { createLedger } from '../inventory/ledger';
import { wakeStockPusher } from '../inventory/stock-signals';
import { signalChannelSync } from './channel-signals';
import { keptAlive } from './keep-alive';

const CURSOR = 'amazon-orders';
/** Orders updated just before the last window's end may be committed after it was read: re-read this much. */
const OVERLAP_MS = 5 * 60_000;

/**
 * Amazon Seller Central orders → ledger reservations: searchOrders by lastUpdatedAfter from the saved cursor
 * (minus an overlap), each order's lines reserved / released / fulfilled in the ledger keyed by order item, so a
 * re-read never reserves twice. The changed SKUs reach Shopify through the ledger's own push and the Amazon
 * channels through the ledger watch.
 */
export function createAmazonOrdersActivities(deps: {
  channels: Pool;
  amazon?: AmazonClient;
  ledger: ReturnType<typeof createLedger>;
  location: string;
  temporal(): Promise<Client>;
  /**
   * Marks SKUs for the Shopify pusher to look at again (the inventory area's `requestStockCheck`): what Seller
   * Central had sold unread before our sends (`unread_held`) is read now, so what Shopify may offer beside it moved.
   */
  stockCheck?(skus: string[]): Promise<void>;
}) {
  // Heartbeating throughout (also while the connector waits for a searchOrders token): a short heartbeat timeout.
  return keptAlive({
    async pullAmazonOrders(): Promise<{ orders: number; applied: number; duplicates: number; rejected: number }> {
      const amazon = deps.amazon;
      if (!amazon) return { orders: 0, applied: 0, duplicates: 0, rejected: 0 };
      const [[cur]] = await deps.channels.query<RowDataPacket[]>(
        'SELECT position FROM channel_cursors WHERE name = ?',
        [CURSOR],
      );
      const from = cur
        ? new Date(new Date(cur.position as string).getTime() - OVERLAP_MS)
        : new Date(Date.now() - 86_400_000);
      const totals = { orders: 0, applied: 0, duplicates: 0, rejected: 0 };
      /** Per SKU, the latest time one of its orders was placed (in this read). */
      const orderedAt = new Map<string, Date>();
      let token: string | undefined;
      let until: string | undefined;
      do {
        const page = await amazon.searchOrders({
          lastUpdatedAfter: from.toISOString(),
          includedData: ['FULFILLMENT'],
          maxResultsPerPage: 100,
          paginationToken: token,
        });
        until ??= page.lastUpdatedBefore;
        const movements = page.orders.flatMap((o) =>
          amazonOrderMovements(amazon.sellerId, o as unknown as AmazonOrderLite, deps.location),
        );
        for (const m of movements) {
          const at = new Date(m.occurredAt);
          if (m.kind === 'reserve' && at.getTime() > (orderedAt.get(m.sku)?.getTime() ?? 0)) orderedAt.set(m.sku, at);
        }
        if (movements.length) {
          const r = await deps.ledger.applyMovements(movements, { source: 'amazon-orders' });
          totals.applied += r.applied;
          totals.duplicates += r.duplicates;
          totals.rejected += r.rejected.length;
          const queue = taskQueueFor('shopify', Context.current().info.taskQueue);
          await wakeStockPusher(await deps.temporal(), queue);
        }
        totals.orders += page.orders.length;
        token = page.nextToken;
        Context.current().heartbeat(totals);
      } while (token);
      if (until) {
        await deps.channels.query(
          'INSERT INTO channel_cursors (name, position) VALUES (?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position)',
          [CURSOR, until],
        );
        // Units held back for orders unread at a send are read now (the cursor passed the send): Seller Central is
        // planned again without the hold, and Shopify looks again at what it may offer beside it. Their movements
        // woke both already, but before this cursor was saved, when the hold still counted.
        const [held] = await deps.channels.query<RowDataPacket[]>(
          "SELECT sku FROM channel_listings WHERE channel = 'amazon' AND unread_held > 0 AND held_at < ?",
          [new Date(until)],
        );
        const skus = held.map((r) => r.sku as string);
        // A listing Seller Central confirmed before one of these orders shows that much less now (Amazon took the
        // units off): it is pending again, so a plan whose allocation equals the quantity confirmed (the share moved
        // by less than a unit) still sends it. Orders re-read in the overlap are older than a later confirm.
        for (const [sku, at] of orderedAt) {
          const [r] = await deps.channels.query<ResultSetHeader>(
            "UPDATE channel_listings SET status = 'pending' WHERE channel = 'amazon' AND sku = ? AND status = 'accepted' AND confirmed_at < ?",
            [sku, at],
          );
          if (r.affectedRows && !skus.includes(sku)) skus.push(sku);
        }
        if (skus.length) {
          await deps.channels.query(
            "UPDATE channel_listings SET unread_held = 0 WHERE channel = 'amazon' AND unread_held > 0 AND held_at < ?",
            [new Date(until)],
          );
          const client = await deps.temporal();
          await signalChannelSync(client, Context.current().info.taskQueue, 'amazon', skus);
          await deps.stockCheck?.(skus);
          await wakeStockPusher(client, taskQueueFor('shopify', Context.current().info.taskQueue));
        }
      }
      return totals;
    },
  });
}
