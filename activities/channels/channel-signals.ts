import type { Client } from '@temporalio/client';
import { CHANNELS, type Channel } from '../../domain/channels/channels';
import { channelSyncRun, channelSyncWorkflowId } from '../../domain/channels/run-summaries';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';

/** The channels this area syncs itself (Shopify's quantities go through the inventory area's inventory-sync). */
export const SYNCED_CHANNELS: Channel[] = CHANNELS.filter((c) => c !== 'shopify');

/**
 * Tells `channel-sync/<channel>` that SKUs changed (or, with no SKUs, that every SKU needs a look), starting it
 * if it does not run. Each channel runs on the `amazon` queue beside the caller's; a channel's failures stay there.
 */
export async function signalChannelSync(
  client: Client,
  currentQueue: string,
  channel: Channel,
  skus: string[] | 'all',
): Promise<void> {
  await client.workflow.signalWithStart('channelSync', {
    workflowId: channelSyncWorkflowId(channel),
    taskQueue: taskQueueFor('amazon', currentQueue),
    args: [{ channel, dirty: [], all: false, rounds: 0 }],
    signal: skus === 'all' ? 'resync' : 'skusChanged',
    signalArgs: [skus === 'all' ? {} : { skus }],
    ...channelSyncRun(channel),
    typedSearchAttributes: [
      { key: SA.Pipeline, value: 'channel-sync' },
      { key: SA.Channel, value: channel },
      { key: SA.SyncStatus, value: 'Pending' },
    ],
  });
}
