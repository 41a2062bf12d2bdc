import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  BackfillChunkResult,
  createShopifyBackfillActivities,
} from '../../activities/extraction/shopify-backfill';
import {
  BACKFILL_ENTITIES,
  BACKFILL_PRIORITY,
  backfillChunks,
  WINDOWED,
  type BackfillEntity,
} from '../../domain/extraction/shopify-backfill';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

const shopify = (heartbeatTimeoutSeconds: number) =>
  proxyActivities<ReturnType<typeof createShopifyBackfillActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    // A bulk operation over months of orders can run for hours on Shopify's side; the ingest beats while it waits.
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: heartbeatTimeoutSeconds * 1000,
    retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes' },
    priority: BACKFILL_PRIORITY,
  });

export interface ShopifyBackfillInput {
  /** Created at or after (orders, customers, products). */
  from: string;
  /** Created before (default: when the workflow started). */
  to?: string;
  entities?: BackfillEntity[];
  /** One bulk operation per window of this many days (default 30). */
  chunkDays?: number;
  heartbeatTimeoutSeconds?: number;
  /** JSONL lines per lake write and checkpoint (default 5,000). */
  batchLines?: number;
}

/** Starts of one chunk before the backfill gives up on it (each start follows an operation that ended unfinished). */
const STARTS_PER_CHUNK = 3;

/**
 * Historical Shopify → lake backfill through bulk queries, one operation per entity and window, one after another
 * (the shop allows five bulk queries at once; the others stay free for publishing and reconciliation). Each chunk's
 * state is in the lake, so a backfill started again over the same range skips the chunks that are done and adopts
 * the operation of the one in progress. Runs at BACKFILL_PRIORITY on the shop's shared budget.
 */
export async function shopifyBackfill(input: ShopifyBackfillInput): Promise<BackfillChunkResult[]> {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'shopify-backfill' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  const to = input.to ?? new Date(workflowInfo().startTime.getTime()).toISOString();
  const acts = shopify(input.heartbeatTimeoutSeconds ?? 120);
  const results: BackfillChunkResult[] = [];
  for (const entity of input.entities ?? BACKFILL_ENTITIES) {
    const chunks = WINDOWED[entity]
      ? backfillChunks(input.from, to, input.chunkDays ?? 30)
      : [{ from: input.from, to }];
    for (const window of chunks) {
      const chunk = { entity, ...window };
      for (let start = 1; ; start++) {
        const started = await withSummary(
          acts,
          `start ${entity} bulk ${window.from.slice(0, 10)}…`,
        ).startShopifyBackfillChunk(chunk);
        if (started.done || !started.operationId) break;
        try {
          results.push(
            await withSummary(
              acts,
              `write ${entity} ${window.from.slice(0, 10)}… to the lake`,
            ).ingestShopifyBackfillChunk({
              ...chunk,
              operationId: started.operationId,
              batchLines: input.batchLines,
            }),
          );
          break;
        } catch (err) {
          const ended =
            err instanceof ActivityFailure &&
            err.cause instanceof ApplicationFailure &&
            err.cause.type === 'BackfillOperationEnded';
          if (!ended || start >= STARTS_PER_CHUNK) throw err;
        }
      }
    }
  }
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
  return results;
}
