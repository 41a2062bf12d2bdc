import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createFraudActivities } from '../../activities/orders/fraud';
import type { createOrdersLakeActivities } from '../../activities/orders/orders-lake';
import type {
  createReconcileActivities,
  createShopifyReconcileActivities,
} from '../../activities/orders/orders-reconcile';
import type { ReconciliationSummary } from '../../domain/orders/reconcile';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

const dataActivities = () =>
  proxyActivities<ReturnType<typeof createOrdersLakeActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '1 minute',
  });
const shopifyActivities = () =>
  proxyActivities<ReturnType<typeof createFraudActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '30 minutes',
    // refreshRisk pages through days of orders and beats per page.
    heartbeatTimeout: '1 minute',
  });

// Reconciliation reads whole days: judged by heartbeats (each page beats), not by a tight deadline.
const reconcileData = () =>
  proxyActivities<ReturnType<typeof createReconcileActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '1 minute',
  });
const reconcileShopify = () =>
  proxyActivities<ReturnType<typeof createShopifyReconcileActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '1 minute',
  });

/** The day before the run started (UTC): what a daily Schedule exports. */
const yesterday = () => new Date(workflowInfo().runStartTime.getTime() - 86_400_000).toISOString().slice(0, 10);

/**
 * Orders DB → lake (Parquet, one partition per created day) → DynamoDB. Without a day (the Schedule): every order
 * changed since the last export, so a missed run is caught up and a late update lands in its day. With a day: that
 * day re-exported whole. Idempotent either way.
 */
export async function ordersToLake(input: { day?: string } = {}) {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'orders-lake' },
    { key: SA.SyncWindow, value: input.day ?? 'since-last-export' },
  ]);
  const activities = dataActivities();
  const result = input.day
    ? await withSummary(activities, `export orders of ${input.day} to lake and DynamoDB`).exportOrdersDay(input.day)
    : await withSummary(activities, 'export orders changed since the last export').exportOrdersChanged();
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
  return result;
}

/** Periodic download of Shopify's risk assessments for recent orders; HIGH / CANCEL orders are flagged in MySQL and DynamoDB. */
export async function fraudIndicators(input: { lookbackHours?: number } = {}) {
  const since = new Date(workflowInfo().runStartTime.getTime() - (input.lookbackHours ?? 72) * 3_600_000).toISOString();
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'fraud-indicators' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncWindow, value: `${since}/` },
  ]);
  const { checked, flagged } = await withSummary(shopifyActivities(), `risk of orders since ${since}`).refreshRisk(
    since,
  );
  const flaggedInDynamo = await withSummary(dataActivities(), `flag ${flagged.length} orders in DynamoDB`).flagInDynamo(
    flagged,
  );
  upsertSearchAttributes([{ key: SA.SyncStatus, value: flagged.length ? 'CompletedWithFlags' : 'Completed' }]);
  return { checked, flagged, flaggedInDynamo };
}

/**
 * Counts and totals of one day in Shopify, the orders DB, the lake and DynamoDB. Each view is read by its own
 * heartbeating activity and written to the lake; the comparison writes every differing order to the lake too, so
 * history holds only summaries (no whole-day maps), whatever the size of the day.
 */
export async function reconcileOrders(input: { day?: string } = {}): Promise<ReconciliationSummary> {
  const day = input.day ?? yesterday();
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'orders-reconcile' },
    { key: SA.SyncWindow, value: day },
  ]);
  const { runId } = workflowInfo();
  const data = reconcileData();
  const views = await Promise.all([
    withSummary(reconcileShopify(), `Shopify totals ${day}`).shopifyView(day, runId),
    withSummary(data, `orders DB totals ${day}`).databaseView(day, runId),
    withSummary(data, `lake totals ${day}`).lakeView(day, runId),
    withSummary(data, `DynamoDB totals ${day}`).dynamoView(day, runId),
  ]);
  const result = await withSummary(data, `compare ${day}`).compareViews(day, runId, views);
  upsertSearchAttributes([{ key: SA.SyncStatus, value: result.differenceCount ? 'Differences' : 'Completed' }]);
  return result;
}
