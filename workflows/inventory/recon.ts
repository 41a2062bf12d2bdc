import {
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createReconActivities, StockReconSummary } from '../../activities/inventory/recon';
import { parseCalendarDate } from '../../domain/platform/dates';
import { thousands } from '../../domain/platform/run-summary';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

const activities = () =>
  proxyActivities<ReturnType<typeof createReconActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '2 minutes',
    retry: { maximumInterval: '1 minute', maximumAttempts: 5 },
  });

/**
 * Daily (schedule `stock-reconcile`) and on demand (start `stockReconcile` under any id, or trigger the schedule):
 * every SKU × location of the store DB, the ledger and Shopify compared, classified, corrected where the rule is
 * clear (`correct: false` only reports), and written to the lake. The summary is the result (the ops console shows
 * the latest).
 */
export async function stockReconcile(input: { day?: string; correct?: boolean } = {}): Promise<StockReconSummary> {
  const day = input.day ?? workflowInfo().runStartTime.toISOString().slice(0, 10);
  if (parseCalendarDate(day) !== day) throw ApplicationFailure.nonRetryable(`not a calendar day: ${day}`, 'InvalidDay');
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'stock-reconcile' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncWindow, value: day },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  setCurrentDetails(`**reconciling** ${day} · store DB × ledger × Shopify (bulk)`);
  const summary = await withSummary(activities(), `reconcile stock ${day} · bulk reads, corrections`).reconcileStock({
    day,
    runId: workflowInfo().runId,
    correct: input.correct !== false,
  });
  const c = summary.counts;
  const classes = Object.entries(c.byClass)
    .filter(([, b]) => b.rows)
    .map(
      ([name, b]) =>
        `- ${name}: ${thousands(b.rows)} rows · ${thousands(b.units)} units · ${b.value.toFixed(2)} at shelf price`,
    );
  setCurrentDetails(
    [
      `**done** ${day} · ${thousands(c.compared)} compared · ${thousands(c.differences)} differ · ` +
        `${summary.corrections.ledgerCounts} ledger counts · ${summary.corrections.shopifySet} Shopify set · ` +
        `${summary.corrections.pushesSignalled} pushes · ${thousands(summary.shopify.pointsSpent)} points`,
      ...classes,
      `- report: ${summary.keys.differences}`,
    ].join('\n'),
  );
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
  return summary;
}
