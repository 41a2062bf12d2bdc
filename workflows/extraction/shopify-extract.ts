import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createShopifyDeletionActivities, DeletionsResult } from '../../activities/extraction/shopify-deletions';
import type { createShopifyExtractActivities, ShopifyWindowResult } from '../../activities/extraction/shopify-extract';
import type { createShopifyTransferActivities } from '../../activities/extraction/shopify-transfers';
import { EXTRACTION_PRIORITY, SHOPIFY_ENTITIES, type ShopifyEntity } from '../../domain/extraction/shopify-extraction';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

const shopify = (heartbeatTimeoutSeconds = 120) =>
  proxyActivities<
    ReturnType<typeof createShopifyExtractActivities> &
      ReturnType<typeof createShopifyTransferActivities> &
      ReturnType<typeof createShopifyDeletionActivities>
  >({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '2 hours',
    // A page beats; a worker that stops beating (killed) has its window retried from the last page it wrote.
    heartbeatTimeout: heartbeatTimeoutSeconds * 1000,
    priority: EXTRACTION_PRIORITY,
  });

/**
 * One incremental pass of Shopify → lake: for each entity, the window from its saved cursor to now (see
 * extractShopifyWindow), then the deletions Shopify reported meanwhile as tombstones (extractShopifyDeletions; by
 * default only when every entity runs). Entities run one after another, so extraction holds at most one request's
 * worth of the shop's budget at a time.
 */
export async function shopifyExtract(
  input: {
    entities?: ShopifyEntity[];
    deletions?: boolean;
    until?: string;
    heartbeatTimeoutSeconds?: number;
    transfers?: boolean;
  } = {},
) {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'shopify-extract' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  const acts = shopify(input.heartbeatTimeoutSeconds);
  const results: (ShopifyWindowResult | DeletionsResult | ({ entity: 'transfers' } & Record<string, unknown>))[] = [];
  for (const entity of input.entities ?? SHOPIFY_ENTITIES)
    results.push(
      await withSummary(acts, `extract ${entity} window`).extractShopifyWindow({ entity, until: input.until }),
    );
  // Native inventory transfers (Stocky's successor) into stock.transfers, on their own cursor (the schedule asks).
  if (input.transfers)
    results.push({
      entity: 'transfers' as const,
      ...(await withSummary(acts, 'extract inventory transfers').extractShopifyTransfers({ until: input.until })),
    });
  if (input.deletions ?? !input.entities)
    results.push(await withSummary(acts, 'deletions → tombstones').extractShopifyDeletions({ until: input.until }));
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
  return results;
}
