import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool } from 'mysql2/promise';
import { channelsDb } from '../../db/client';
import { InvalidRules } from '../../domain/channels/rules';
import { ApplicationFailure } from '@temporalio/common';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { requestStockPush, wakeStockPusher } from '../inventory/stock-signals';
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
        // Shopify's share changed too: every affected SKU is pushed by the batched pusher, whatever its signature.
        if (skus === 'all' || skus.length) {
          await requestStockPush(deps.inventory, skus);
          await wakeStockPusher(client, taskQueueFor('shopify', queue));
        }
        return { version: saved.version, affected: saved.affected.all ? 'all' : saved.affected.skus.length };
      } catch (err) {
        if (err instanceof InvalidRules)
          throw ApplicationFailure.nonRetryable(err.message, 'InvalidRules', err.problems);
        throw err;
      }
    },
  };
}
