import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createShopifyExtractActivities } from '../../activities/extraction/shopify-extract';
import type { createShopifyTransferActivities } from '../../activities/extraction/shopify-transfers';
import { EXTRACTION_PRIORITY, SHOPIFY_ENTITIES, type ShopifyEntity } from '../../domain/extraction/shopify-extraction';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

const shopify = (heartbeatTimeoutSeconds = 120) =>
  proxyActivities<
    ReturnType<typeof createShopifyExtractActivities> & ReturnType<typeof createShopifyTransferActivities>
  >({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '2 hours',
    // A page beats; a worker that stops beating (killed) has its window retried from the last page it wrote.
    heartbeatTimeout: heartbeatTimeoutSeconds * 1000,
    priority: EXTRACTION_PRIORITY,
  });

/**
 * One incremental pass of Shopify → lake: for each entity, the window from its saved cursor to now (see
 * extractShopifyWindow). Entities run one after another, so extraction holds at most one request's worth of the
 * shop's budget at a time.
 */
export async function shopifyExtract(
  input: { entities?: ShopifyEntity[]; until?: string; heartbeatTimeoutSeconds?: number; transfers?: boolean } = {},
) {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'shopify-extract' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  const acts = shopify(input.heartbeatTimeoutSeconds);
  const results = [];
  for (const entity of input.entities ?? SHOPIFY_ENTITIES)
    results.push(
      await withSummary(acts, `extract ${entity} window`).extractShopifyWindow({ entity, until: input.until }),
    );
  // Native inventory transfers (Stocky's successor) into stock.transfers, on their own cursor (the schedule asks).
  const transfers = !input.transfers
    ? undefined
    : await withSummary(acts, 'extract inventory transfers').extractShopifyTransfers({ until: input.until });
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
  return transfers ? [...results, { entity: 'transfers' as const, ...transfers }] : results;
}
