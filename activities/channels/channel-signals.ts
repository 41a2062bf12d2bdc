import type { Client } from '@temporalio/client';
import { CHANNELS, type Channel } from '../../domain/channels/channels';
import { channelSyncRun, channelSyncWorkflowId } from '../../domain/channels/run-summaries';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';

/** The channels this area syncs itself (Shopify's quantities go through the inventory area's inventory-sync). */
export const SYNCED_CHANNELS: Channel[] = CHANNELS.filter((c) => c !== 'shopify');

/** `channel-sync/<channel>`; on an isolated queue (`<prefix>.amazon`, tests) the id names the queue too. */
export const channelSyncWorkflowIdOn = (channel: Channel, taskQueue: string) =>
  taskQueue === 'amazon' ? channelSyncWorkflowId(channel) : `${channelSyncWorkflowId(channel)}@${taskQueue}`;

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
  const taskQueue = taskQueueFor('amazon', currentQueue);
  await client.workflow.signalWithStart('channelSync', {
    workflowId: channelSyncWorkflowIdOn(channel, taskQueue),
    taskQueue,
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
