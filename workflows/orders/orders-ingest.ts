import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  type ActivityInterfaceFor,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createOrderActivities } from '../../activities/orders/orders';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { count, thousands, timeWindow } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';

export interface OrdersIngestInput {
  shop: string;
  overlapMs?: number;
  firstRunLookbackMs?: number;
  /** A re-sync of an explicit window (signal or CLI); the cursor is not moved by it. */
  window?: { from: string; to: string };
  /** Pages fetched per activity call (default 20) and calls per run before continuing as new (default: when
   * Temporal suggests it). Small values exercise the continuation in tests. */
  pagesPerActivity?: number;
  activitiesPerRun?: number;
  /** A re-sync of named orders only (CLI): no window is ingested. */
  orderIds?: (string | number)[];
  state?: {
    window: { from: string; to: string };
    after: string | null;
    totals: IngestTotals;
    resyncs?: OrdersResync[];
  };
}

export interface IngestTotals {
  count: number;
  inserted: number;
  updated: number;
  stale: number;
  flagged: number[];
}

/** Re-ingest a window of updatedAt, or named orders (numeric ids or gids); neither moves the cursor. */
export type OrdersResync = { from: string; to: string } | { orderIds: (string | number)[] };
export const ordersResyncSignal = defineSignal<[OrdersResync]>('resync');
export const ordersProgressQuery = defineQuery<IngestTotals & { window?: { from: string; to: string } }>('progress');

const PIPELINE = 'orders-ingest';

/**
 * One incremental window of Shopify orders into the orders database, started by a Schedule. The window
 * starts at the saved cursor minus an overlap; pages are ordered by updatedAt and followed by cursor, so
 * orders sharing a timestamp are never skipped. The cursor moves only after the window is written.
 */
export async function ordersIngest(
  input: OrdersIngestInput,
): Promise<IngestTotals & { window: { from: string; to: string } }> {
  const a = proxyActivities<ReturnType<typeof createOrderActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '10 minutes',
    // Each page heartbeats; a dead worker's window moves to another within seconds (pages are idempotent).
    heartbeatTimeout: '15 seconds',
  });
  const totals: IngestTotals = input.state?.totals ?? { count: 0, inserted: 0, updated: 0, stale: 0, flagged: [] };
  const idsOnly = !!input.orderIds && !input.window && !input.state;
  const window = idsOnly
    ? { from: '', to: '' }
    : (input.state?.window ??
      input.window ??
      (await withSummary(a, 'read the saved cursor').ingestWindow(
        PIPELINE,
        input.overlapMs ?? 120_000,
        input.firstRunLookbackMs ?? 30 * 86_400_000,
      )));
  const resyncs: OrdersResync[] = [
    ...(input.state?.resyncs ?? []),
    ...(input.orderIds ? [{ orderIds: input.orderIds }] : []),
  ];
  setHandler(ordersResyncSignal, (w) => void resyncs.push(w));
  setHandler(ordersProgressQuery, () => ({ ...totals, window }));
  upsertSearchAttributes([
    { key: SA.Pipeline, value: PIPELINE },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncWindow, value: `${window.from}/${window.to}` },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  let after = input.state?.after ?? null;
  let calls = 0;
  const label = idsOnly ? 'named orders' : `ingest window ${timeWindow(window.from, window.to)}`;
  // Current details: the window, Shopify's page cursor and the counts so far.
  const details = (phase: string) =>
    setCurrentDetails(
      `**${phase}** · ${label} · ${thousands(totals.count)} orders (${thousands(totals.inserted)} new, ` +
        `${thousands(totals.updated)} updated, ${thousands(totals.stale)} stale) · cursor ${after ?? '(first page)'}`,
    );
  details('ingesting');
  while (!idsOnly) {
    const page = await withSummary(a, `${label} · ${count(input.pagesPerActivity ?? 20, 'page')}`).ingestPages(
      window,
      after,
      input.pagesPerActivity ?? 20,
    );
    calls++;
    totals.count += page.count;
    totals.inserted += page.inserted;
    totals.updated += page.updated;
    totals.stale += page.stale;
    // A refused (conflicting) order is recorded by the activity; it flags the run instead of failing the window.
    totals.flagged.push(...[...page.flagged, ...page.conflicts].slice(0, Math.max(0, 500 - totals.flagged.length)));
    after = page.endCursor;
    details('ingesting');
    if (!page.hasNext) break;
    // Shopify's page cursor (orders sorted by updatedAt, ties by id) travels in the state: orders that share a
    // timestamp across the boundary are neither skipped nor needed twice.
    if (workflowInfo().continueAsNewSuggested || calls >= (input.activitiesPerRun ?? Infinity)) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof ordersIngest>({
        ...input,
        orderIds: undefined,
        state: { window, after, totals, resyncs },
      });
    }
  }
  if (!input.window && !idsOnly)
    await withSummary(a, `move the cursor to ${window.to}`).commitCursor(PIPELINE, window.to);
  if (resyncs.length) details('resyncing');
  // Signals that arrive while a resync runs are picked up too.
  for (let w = resyncs.shift(); w; w = resyncs.shift()) {
    if ('orderIds' in w) {
      for (const id of w.orderIds) {
        const gid = String(id).startsWith('gid://') ? String(id) : `gid://shopify/Order/${id}`;
        const outcome = await withSummary(a, `read ${gid} from Shopify`).upsertOrderById(gid);
        totals.count++;
        if (outcome === 'updated' || outcome === 'inserted') totals.updated++;
      }
    } else await ordersIngestWindowInline(a, w, totals);
  }
  details('done');
  upsertSearchAttributes([{ key: SA.SyncStatus, value: totals.flagged.length ? 'CompletedWithFlags' : 'Completed' }]);
  return { ...totals, window };
}

async function ordersIngestWindowInline(
  a: ActivityInterfaceFor<ReturnType<typeof createOrderActivities>>,
  w: { from: string; to: string },
  totals: IngestTotals,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const page = await withSummary(a, `resync window ${timeWindow(w.from, w.to)} · 20 pages`).ingestPages(w, after, 20);
    totals.count += page.count;
    totals.updated += page.updated + page.inserted;
    after = page.endCursor;
    if (!page.hasNext) return;
  }
}
