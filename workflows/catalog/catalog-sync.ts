import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  executeChild,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCatalogSyncActivities } from '../../activities/catalog/catalog-sync';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';
import { catalogBackfillRun } from '../../domain/catalog/run-summaries';
import { catalogBackfill, type BackfillInput } from './catalog-backfill';

export interface CatalogSyncSummary {
  checked: number;
  /** Products sent to their publish workflow: content changed in the PIM, drifted in Shopify, or missing there. */
  changed: number;
  drifted: number;
  missing: number;
  archived: number;
  failed: number;
  cursor: number;
  shopifyCursor: string | null;
  shopifyAfter: number;
  phase: 'diff' | 'shopify' | 'done';
  /** Drifted and missing products republished by a bulk backfill (a large set), not one publish each. */
  republishedInBulk?: number;
  /** Drifted and missing products found and not handed on yet (at most `republishChunk`). */
  republishQueue?: number[];
  /** Set once the republish set reached `republishBulkAbove`: the rest of this sync republishes in bulk. */
  republishInBulk?: boolean;
  republishBatches?: number;
}

export interface CatalogSyncInput {
  state?: CatalogSyncSummary;
  /** A republish set of at least this many products goes through the backfill's bulk path (default 100). */
  republishBulkAbove?: number;
  /** Products per bulk republish (one child backfill each; default 10,000: two bulk operations of 5,000). */
  republishChunk?: number;
}

export const syncProgressQuery = defineQuery<CatalogSyncSummary>('progress');

/**
 * The daily catalogue check, in two passes. First the PIM side: every product whose content differs from the
 * last push is re-published through its own publish workflow. Then Shopify's side, page by page in ID order:
 * products the PIM no longer has are archived (never deleted), products edited on Shopify's side and products
 * Shopify lost are re-published with `force`. The summary is the result and the `progress` query.
 */
export async function catalogSync(input: CatalogSyncInput = {}): Promise<CatalogSyncSummary> {
  const s: CatalogSyncSummary = input.state ?? {
    checked: 0,
    changed: 0,
    drifted: 0,
    missing: 0,
    archived: 0,
    failed: 0,
    cursor: 0,
    shopifyCursor: null,
    shopifyAfter: 0,
    phase: 'diff',
  };
  setHandler(syncProgressQuery, () => s);
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'catalog-sync' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const a = proxyActivities<ReturnType<typeof createCatalogSyncActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
  });
  const publishQueue = taskQueueFor('shopify', workflowInfo().taskQueue);
  const details = () =>
    setCurrentDetails(
      `**${s.phase}** · ${thousands(s.checked)} checked · ${thousands(s.changed)} sent to publish · ` +
        `${thousands(s.drifted)} drifted · ${thousands(s.missing)} missing · ${thousands(s.archived)} archived · ` +
        `${thousands(s.failed)} invalid · PIM cursor ${s.cursor} · Shopify cursor ${s.shopifyAfter}` +
        (s.republishInBulk
          ? ` · republishing in bulk: ${thousands(s.republishedInBulk ?? 0)} done, ` +
            `${thousands(s.republishQueue?.length ?? 0)} gathered`
          : ''),
    );
  const maybeContinue = async () => {
    details();
    if (!workflowInfo().continueAsNewSuggested) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof catalogSync>({ ...input, state: s });
  };
  while (s.phase === 'diff') {
    const page = await withSummary(a, `diff 500 PIM products after id ${s.cursor}`).diffPage(s.cursor, 500);
    if (!page.checked) {
      s.phase = 'shopify';
      break;
    }
    s.cursor = page.lastId;
    s.checked += page.checked;
    s.failed += page.invalid;
    if (page.changed.length)
      s.changed += await withSummary(a, `publish ${page.changed.length} changed products`).requestPublish(
        page.changed,
        publishQueue,
      );
    await maybeContinue();
  }
  // The mapping of each product in `ids` no longer claims Shopify's content (reconcileShopifyPage forgot it), so the
  // backfill's diff by hash sends every one of them, in bulk, and then publishes their stock.
  const republishInBulk = async (ids: number[]) => {
    const batch = s.republishBatches ?? 0;
    const backfill: BackfillInput = { name: 'republish', filter: { ids }, bulkThreshold: 1 };
    details();
    await executeChild(catalogBackfill, {
      workflowId: `${workflowInfo().workflowId}/republish-${batch}`,
      taskQueue: publishQueue,
      args: [backfill],
      ...catalogBackfillRun(backfill),
    });
    s.republishBatches = batch + 1;
    s.republishedInBulk = (s.republishedInBulk ?? 0) + ids.length;
    s.changed += ids.length;
    s.republishQueue = [];
  };
  while (s.phase === 'shopify') {
    const page = await withSummary(a, `Shopify products page after #${s.shopifyAfter}`).reconcileShopifyPage(
      s.shopifyCursor,
      s.shopifyAfter,
    );
    s.archived += page.archived.length;
    s.drifted += page.drifted.length;
    s.missing += page.missing.length;
    const republish = [...new Set([...page.drifted, ...page.missing])];
    if (!patched('republish-in-bulk')) {
      if (republish.length)
        s.changed += await withSummary(
          a,
          `republish ${republish.length} drifted or missing products (force)`,
        ).requestPublish(republish, publishQueue, true);
    } else {
      // A shop that lost its catalogue gives thousands: one publish workflow each ran at a few products/s, the
      // backfill's bulk mutation at its cost ceiling. The set is gathered; at `republishBulkAbove` the sync switches
      // to bulk (a child backfill per `republishChunk` products); a smaller set is published product by product.
      const queue = [...new Set([...(s.republishQueue ?? []), ...republish])];
      s.republishQueue = queue;
      if (queue.length >= (input.republishBulkAbove ?? 100)) s.republishInBulk = true;
      if (s.republishInBulk && queue.length && (queue.length >= (input.republishChunk ?? 10_000) || !page.next))
        await republishInBulk(queue);
      else if (!page.next && queue.length) {
        s.changed += await withSummary(
          a,
          `republish ${queue.length} drifted or missing products (force)`,
        ).requestPublish(queue, publishQueue, true);
        s.republishQueue = [];
      }
    }
    s.shopifyCursor = page.next;
    s.shopifyAfter = page.lastNumber;
    if (!page.next) s.phase = 'done';
    await maybeContinue();
  }
  details();
  upsertSearchAttributes([{ key: SA.SyncStatus, value: s.failed ? 'CompletedWithErrors' : 'Completed' }]);
  return s;
}
