import { Context } from '@temporalio/activity';
import { AmazonClient } from '../../connectors/amazon';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { dynamoTokenStore } from '../../lake/shopify-token-store';
import { ledgerFrom } from '../inventory';
import { requestStockCheck, wakeStockPusher } from '../inventory/stock-signals';
import type { AreaRegistration } from '../platform/area';
import { activityCancellation } from '../platform/cancellation';
import type { Deps } from '../platform/deps';
import { allocationsFor } from './allocations';
import { signalChannelSync } from './channel-signals';
import { ledgerStock } from './ledger-stock';
import { createLedgerWatchActivities } from './ledger-watch';
import { createAmazonOrdersActivities } from './amazon-orders';
import { createReconcileActivities } from './reconcile';
import { channelReconcileRun } from '../../domain/channels/run-summaries';
import { createRulesActivities } from './rules-activities';
import { createChannelSyncActivities } from './sync';

// One Amazon client per worker process: its rate limiter and token cache are process-wide, like Shopify's budget.
const clients = new WeakMap<Deps, AmazonClient>();
function amazonClient(deps: Deps): AmazonClient | undefined {
  const c = deps.config.amazon;
  if (!c) return undefined;
  let client = clients.get(deps);
  if (!client) {
    client = new AmazonClient({
      endpoint: c.endpoint,
      lwa: c.lwa,
      sellerId: c.sellerId,
      marketplaceId: c.marketplaceId,
      // The same DynamoDB item table as Shopify's shared token, keyed amazon/<sellerId>.
      tokenStore: dynamoTokenStore(deps.dynamo, deps.config.aws.tablePrefix),
      // A cancelled activity (a worker shutting down) stops waiting for its rate-limit token or backoff.
      abortSignal: activityCancellation,
    });
    clients.set(deps, client);
  }
  return client;
}

/** Allocation rules, Amazon Seller Central and Vendor Central stock sync. */
export const channelsArea: AreaRegistration = {
  name: 'channels',
  activities: (deps) => {
    const { ledger, reads } = ledgerFrom(deps);
    const allocations = allocationsFor(deps);
    return {
      amazon: {
        ...createChannelSyncActivities({
          channels: deps.pools.channels,
          stock: ledgerStock(deps.pools.inventory, reads),
          amazon: amazonClient(deps),
          vendor: deps.config.amazon?.vendor,
          applyWindowMs: deps.config.amazon?.listingApplyMs,
          offersConfirmed: async (skus) => {
            await requestStockCheck(deps.pools.inventory, skus);
            await wakeStockPusher(await deps.temporal(), taskQueueFor('shopify', Context.current().info.taskQueue));
          },
          exposure: (skus, channel) => allocations.exposureBeside(skus, channel),
          recheck: async (channel, skus) =>
            signalChannelSync(await deps.temporal(), Context.current().info.taskQueue, channel, skus),
        }),
        ...createAmazonOrdersActivities({
          channels: deps.pools.channels,
          amazon: amazonClient(deps),
          ledger,
          location: deps.config.amazon?.fulfilmentLocation ?? 'C',
          temporal: () => deps.temporal(),
          stockCheck: (skus) => requestStockCheck(deps.pools.inventory, skus),
        }),
        ...createReconcileActivities({
          channels: deps.pools.channels,
          amazon: amazonClient(deps),
          s3: deps.s3,
          lakeBucket: deps.config.aws.buckets.lake,
        }),
      },
      data: {
        ...createRulesActivities({
          channels: deps.pools.channels,
          inventory: deps.pools.inventory,
          temporal: () => deps.temporal(),
        }),
        ...createLedgerWatchActivities({
          inventory: deps.pools.inventory,
          channels: deps.pools.channels,
          temporal: () => deps.temporal(),
        }),
      },
    };
  },
  schedules: [
    {
      id: 'channel-reconcile',
      workflowType: 'channelReconcile',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['15 * * * *'] },
      summary: channelReconcileRun(),
      memo: 'Hourly: what Seller Central and Vendor Central offer vs the allocation; drift re-sent, report to the lake',
    },
  ],
};
