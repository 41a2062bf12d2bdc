import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  patched,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  uuid4,
} from '@temporalio/workflow';
import type { createBackfillActivities } from '../../activities/catalog/backfill';
import type { createInventoryActivities } from '../../activities/inventory/inventory';
import type { PopulationFilter } from '../../activities/catalog/pim-reads';
import { populationLabel } from '../../domain/catalog/run-summaries';
import { count, thousands } from '../../domain/platform/run-summary';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');
export const progressQuery = defineQuery<BackfillProgress>('progress');

export interface BackfillInput {
  name: string;
  filter: PopulationFilter;
  /** Populations at or above this size go through bulk mutations; smaller ones product by product. */
  bulkThreshold?: number;
  chunkSize?: number;
  /** Shopify runs at most 5 bulk mutations per shop at once. */
  maxConcurrentBulk?: number;
  state?: BackfillState;
}

export interface BulkChunk {
  index: number;
  manifestKey: string;
  stagedUploadPath: string | null;
  operationId?: string;
  lines: number;
}

export interface BackfillState {
  phase: 'counting' | 'per-product' | 'bulk' | 'done' | 'cancelled';
  total: number;
  done: number;
  synced: number;
  skipped: number;
  failed: number;
  cursor: number;
  nextChunk: number;
  /** Stock pass after the content: the last PIM id whose store stock was published (absent until it starts). */
  stockCursor?: number;
  inFlight: BulkChunk[];
}

/** `holding` is true while the workflow is parked at a checkpoint because it is paused (nothing in flight). */
export type BackfillProgress = BackfillState & { paused: boolean; holding: boolean; mode?: string };

const activities = () =>
  proxyActivities<ReturnType<typeof createBackfillActivities> & ReturnType<typeof createInventoryActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '30 minutes',
    // Every step heartbeats (or finishes in seconds): a killed worker's step is retried within 10 s.
    heartbeatTimeout: '10 seconds',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: ['ShopifyUserError', 'ShopifyGraphqlError'],
    },
  });

/**
 * Publishes a population of PIM products. The cursor and the bulk operations in flight live in workflow
 * state, so a restarted worker (or a continued-as-new run) resumes exactly where it stopped; re-running
 * a finished backfill changes nothing, because unchanged content is skipped by hash.
 */
export async function catalogBackfill(input: BackfillInput): Promise<BackfillState> {
  const s: BackfillState = input.state ?? {
    phase: 'counting',
    total: 0,
    done: 0,
    synced: 0,
    skipped: 0,
    failed: 0,
    cursor: 0,
    nextChunk: 0,
    inFlight: [],
  };
  let paused = false;
  let holding = false;
  let cancelled = false;
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(cancelSignal, () => void (cancelled = true));
  setHandler(progressQuery, () => ({ ...s, paused, holding }));
  const status = (value: string) => upsertSearchAttributes([{ key: SA.SyncStatus, value }]);
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'catalog-backfill' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  status('Running');
  const a = activities();
  // The UI's "current details": phase and counts, refreshed after every step.
  const details = () =>
    setCurrentDetails(
      `**${paused ? 'paused' : s.phase}** · ${thousands(s.done)} / ${count(s.total, 'product')} done · ` +
        `${thousands(s.synced)} synced · ${thousands(s.skipped)} skipped · ${thousands(s.failed)} failed` +
        (s.inFlight.length ? ` · ${count(s.inFlight.length, 'bulk chunk')} in flight` : '') +
        ` · cursor ${s.cursor}`,
    );
  details();
  if (s.phase === 'counting') {
    s.total = await withSummary(a, `count ${populationLabel(input.filter)}`).countPopulation(input.filter);
    s.phase = s.total >= (input.bulkThreshold ?? 1000) ? 'bulk' : 'per-product';
  }
  const chunkSize = input.chunkSize ?? 5000;

  const checkpoint = async () => {
    details();
    if (paused) {
      status('Paused');
      holding = true;
      await condition(() => !paused || cancelled);
      holding = false;
      status('Running');
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof catalogBackfill>({ ...input, state: s });
    }
  };

  while (!cancelled && s.phase === 'per-product') {
    const page = await withSummary(a, `productSet up to 200 products after id ${s.cursor}`).pushPage(
      input.filter,
      s.cursor,
      200,
    );
    if (!page.processed) break;
    s.cursor = page.lastId;
    s.done += page.processed;
    s.synced += page.synced;
    s.skipped += page.skipped;
    s.failed += page.failed;
    await checkpoint();
  }

  while (!cancelled && s.phase === 'bulk') {
    // Stage and start up to the concurrency limit; chunks already in flight (after a restart) are kept.
    let exhausted = false;
    while (s.inFlight.length < (input.maxConcurrentBulk ?? 5) && !exhausted) {
      const index = s.nextChunk;
      const staged = await withSummary(
        a,
        `stage bulk chunk ${index} · ${count(chunkSize, 'product')} after id ${s.cursor}`,
      ).stageBulkChunk(input.filter, s.cursor, chunkSize, `backfills/${workflowInfo().workflowId}/chunk-${index}.json`);
      exhausted = staged.lastId === s.cursor;
      s.cursor = staged.lastId;
      s.nextChunk++;
      s.skipped += staged.skipped;
      s.failed += staged.failed;
      s.done += staged.skipped + staged.failed;
      if (staged.stagedUploadPath)
        s.inFlight.push({
          index,
          manifestKey: staged.manifestKey,
          stagedUploadPath: staged.stagedUploadPath,
          lines: staged.lines,
        });
    }
    for (const chunk of s.inFlight)
      if (!chunk.operationId)
        chunk.operationId = await withSummary(a, `bulkOperationRunMutation chunk ${chunk.index}`).startBulkChunk(
          chunk.stagedUploadPath!,
          `${workflowInfo().workflowId}/chunk-${chunk.index}`,
        );
    await Promise.all(
      s.inFlight.map(async (chunk) => {
        const label = `bulk chunk ${chunk.index} (${count(chunk.lines, 'product')})`;
        const result = await withSummary(a, `await ${label}`).awaitBulkChunk(chunk.operationId!);
        const url = result.url ?? result.partialDataUrl;
        // Every line is accounted for by the activity, even without a result file: the products it left out are
        // recorded and pushed one by one there, not left to the daily diff.
        const applied =
          url || patched('bulk-apply-without-result')
            ? await withSummary(a, `apply results of ${label}`).applyBulkResults(url, chunk.manifestKey)
            : { synced: 0, failed: chunk.lines };
        s.synced += applied.synced;
        s.failed += applied.failed;
        s.done += chunk.lines;
        details();
      }),
    );
    s.inFlight = [];
    if (exhausted) break;
    await checkpoint();
  }

  // Bulk results carry no stock: the population's store stock is published after its content, page by page.
  while (!cancelled && (s.phase === 'bulk' || s.phase === 'per-product')) {
    const page = await withSummary(
      a,
      `stock of up to 200 products after id ${s.stockCursor ?? 0}`,
    ).publishInventoryPage(input.filter, s.stockCursor ?? 0, 200, uuid4());
    if (!page.processed) break;
    s.stockCursor = page.lastId;
    await checkpoint();
  }

  s.phase = cancelled ? 'cancelled' : 'done';
  details();
  status(cancelled ? 'Cancelled' : s.failed ? 'CompletedWithErrors' : 'Completed');
  return s;
}
