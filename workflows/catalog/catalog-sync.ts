import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
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
}

export const syncProgressQuery = defineQuery<CatalogSyncSummary>('progress');

/**
 * The daily catalogue check, in two passes. First the PIM side: every product whose content differs from the
 * last push is re-published through its own publish workflow. Then Shopify's side, page by page in ID order:
 * products the PIM no longer has are archived (never deleted), products edited on Shopify's side and products
 * Shopify lost are re-published with `force`. The summary is the result and the `progress` query.
 */
export async function catalogSync(input: { state?: CatalogSyncSummary } = {}): Promise<CatalogSyncSummary> {
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
        `${thousands(s.failed)} invalid · PIM cursor ${s.cursor} · Shopify cursor ${s.shopifyAfter}`,
    );
  const maybeContinue = async () => {
    details();
    if (!workflowInfo().continueAsNewSuggested) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof catalogSync>({ state: s });
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
  while (s.phase === 'shopify') {
    const page = await withSummary(a, `Shopify products page after #${s.shopifyAfter}`).reconcileShopifyPage(
      s.shopifyCursor,
      s.shopifyAfter,
    );
    s.archived += page.archived.length;
    s.drifted += page.drifted.length;
    s.missing += page.missing.length;
    const republish = [...new Set([...page.drifted, ...page.missing])];
    if (republish.length)
      s.changed += await withSummary(
        a,
        `republish ${republish.length} drifted or missing products (force)`,
      ).requestPublish(republish, publishQueue, true);
    s.shopifyCursor = page.next;
    s.shopifyAfter = page.lastNumber;
    if (!page.next) s.phase = 'done';
    await maybeContinue();
  }
  details();
  upsertSearchAttributes([{ key: SA.SyncStatus, value: s.failed ? 'CompletedWithErrors' : 'Completed' }]);
  return s;
}
