import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { AmazonClient } from '../../connectors/amazon';
import { amazonOrderMovements, type AmazonOrderLite } from '../../domain/channels/amazon-orders';
import { taskQueueFor } from '../../domain/platform/task-queues';
import type { createLedger } from '../inventory/ledger';
import { wakeStockPusher } from '../inventory/stock-signals';
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
      if (until)
        await deps.channels.query(
          'INSERT INTO channel_cursors (name, position) VALUES (?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position)',
          [CURSOR, until],
        );
      return totals;
    },
  });
}
