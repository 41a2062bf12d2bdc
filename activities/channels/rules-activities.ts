import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { channelsDb } from '../../db/client';
import { InvalidRules } from '../../domain/channels/rules';
import { ApplicationFailure } from '@temporalio/common';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { signalStockChangedMany } from '../inventory/stock-signals';
import { signalChannelSync, SYNCED_CHANNELS } from './channel-signals';
import { saveRules } from './rules-store';

/**
 * A rules change: validated, stored as a new version, and every SKU it affects re-synced on every channel: the
 * Amazon channels through `channel-sync/<channel>`, Shopify through each SKU's `inventory-sync/<sku>` (every SKU
 * the ledger holds when a channel default changed).
 */
export function createRulesActivities(deps: { channels: Pool; inventory: Pool; temporal(): Promise<Client> }) {
  return {
    async applyRulesChange(input: { doc: unknown; author: string; note?: string }) {
      try {
        const saved = await saveRules(channelsDb(deps.channels), input.doc, input.author, input.note);
        const client = await deps.temporal();
        const queue = Context.current().info.taskQueue;
        const skus = saved.affected.all ? 'all' : saved.affected.skus;
        if (skus === 'all' || skus.length)
          for (const channel of SYNCED_CHANNELS) await signalChannelSync(client, queue, channel, skus);
        const shopifySkus =
          skus === 'all'
            ? (await deps.inventory.query<RowDataPacket[]>('SELECT sku FROM sku_sync ORDER BY sku'))[0].map(
                (r) => r.sku as string,
              )
            : skus;
        await signalStockChangedMany(
          client,
          taskQueueFor('shopify', queue),
          shopifySkus.map((sku) => ({ sku })),
          () => Context.current().heartbeat(),
        );
        return { version: saved.version, affected: saved.affected.all ? 'all' : saved.affected.skus.length };
      } catch (err) {
        if (err instanceof InvalidRules)
          throw ApplicationFailure.nonRetryable(err.message, 'InvalidRules', err.problems);
        throw err;
      }
    },
  };
}
