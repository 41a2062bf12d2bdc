import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCatalogSyncActivities } from '../activities/catalog-sync';
import { SA } from '../domain/search-attributes';
import { taskQueueFor } from '../domain/task-queues';

export interface CatalogSyncSummary {
  checked: number;
  changed: number;
  archived: number;
  failed: number;
  cursor: number;
  shopifyCursor: string | null;
  phase: 'diff' | 'orphans' | 'done';
}

export const syncProgressQuery = defineQuery<CatalogSyncSummary>('progress');

/**
 * The daily catalogue check: every product whose content differs from the last push is re-published
 * through its own publish workflow; Shopify products the PIM no longer has are archived, never deleted.
 */
export async function catalogSync(input: { state?: CatalogSyncSummary } = {}): Promise<CatalogSyncSummary> {
  const s: CatalogSyncSummary = input.state ?? {
    checked: 0,
    changed: 0,
    archived: 0,
    failed: 0,
    cursor: 0,
    shopifyCursor: null,
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
  const maybeContinue = async () => {
    if (!workflowInfo().continueAsNewSuggested) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof catalogSync>({ state: s });
  };
  while (s.phase === 'diff') {
    const page = await a.diffPage(s.cursor, 500);
    if (!page.checked) {
      s.phase = 'orphans';
      break;
    }
    s.cursor = page.lastId;
    s.checked += page.checked;
    s.failed += page.invalid;
    if (page.changed.length) s.changed += await a.requestPublish(page.changed, publishQueue);
    await maybeContinue();
  }
  while (s.phase === 'orphans') {
    const page = await a.archiveOrphans(s.shopifyCursor);
    s.archived += page.archived.length;
    s.shopifyCursor = page.next;
    if (!page.next) s.phase = 'done';
    await maybeContinue();
  }
  upsertSearchAttributes([{ key: SA.SyncStatus, value: s.failed ? 'CompletedWithErrors' : 'Completed' }]);
  return s;
}
