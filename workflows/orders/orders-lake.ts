import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createFraudActivities } from '../../activities/orders/fraud';
import type { createOrdersLakeActivities } from '../../activities/orders/orders-lake';
import { reconcile, type Reconciliation } from '../../domain/orders/reconcile';
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
  });

/** The day before the run started (UTC): what a daily Schedule exports. */
const yesterday = () => new Date(workflowInfo().runStartTime.getTime() - 86_400_000).toISOString().slice(0, 10);

/** Orders DB → S3 lake (one partition per day) → DynamoDB. Idempotent: re-running a day overwrites the same objects and items. */
export async function ordersToLake(input: { day?: string } = {}) {
  const day = input.day ?? yesterday();
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'orders-lake' },
    { key: SA.SyncWindow, value: day },
  ]);
  const result = await withSummary(dataActivities(), `export orders of ${day} to lake and DynamoDB`).exportOrdersDay(
    day,
  );
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

/** Counts and totals of one day in Shopify, the orders DB, the lake and DynamoDB, with every differing order id. */
export async function reconcileOrders(input: { day?: string } = {}): Promise<Reconciliation> {
  const day = input.day ?? yesterday();
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'orders-reconcile' },
    { key: SA.SyncWindow, value: day },
  ]);
  const data = dataActivities();
  const [shopify, database, lake, dynamodb] = await Promise.all([
    withSummary(shopifyActivities(), `Shopify totals ${day}`).shopifyDay(day),
    withSummary(data, `orders DB totals ${day}`).databaseDay(day),
    withSummary(data, `lake totals ${day}`).lakeDay(day),
    withSummary(data, `DynamoDB totals ${day}`).dynamoDay(day),
  ]);
  const result = reconcile(day, [
    { name: 'shopify', totals: shopify },
    { name: 'database', totals: database },
    { name: 'lake', totals: lake },
    { name: 'dynamodb', totals: dynamodb },
  ]);
  upsertSearchAttributes([{ key: SA.SyncStatus, value: result.differences.length ? 'Differences' : 'Completed' }]);
  return result;
}
