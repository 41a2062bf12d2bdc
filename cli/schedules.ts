import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleSpec,
} from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';

/** One periodic pipeline run; `id` is stable so applying twice updates instead of duplicating. */
export interface ScheduleDeclaration {
  id: string;
  workflowType: string;
  args: unknown[];
  taskQueue: 'shopify' | 'data';
  spec: ScheduleSpec;
  memo?: string;
  searchAttributes?: TypedSearchAttributes;
}

/** Every schedule the project runs; pipelines add theirs here. */
export const SCHEDULES: ScheduleDeclaration[] = [
  {
    id: 'catalog-sync',
    workflowType: 'catalogSync',
    args: [{}],
    taskQueue: 'shopify',
    spec: { cronExpressions: ['0 3 * * *'] },
    memo: 'Daily PIM ↔ Shopify diff: re-publish drift, archive orphans',
  },
  {
    id: 'orders-ingest',
    workflowType: 'ordersIngest',
    args: [{ shop: process.env.SHOPIFY_SHOP ?? 'demo-grocer.myshopify.com' }],
    taskQueue: 'shopify',
    spec: { intervals: [{ every: '5 minutes' }] },
    memo: 'Incremental Shopify orders → orders DB (window from the saved cursor, 2-minute overlap)',
  },
  {
    id: 'fraud-indicators',
    workflowType: 'fraudIndicators',
    args: [{ lookbackHours: 72 }],
    taskQueue: 'shopify',
    spec: { intervals: [{ every: '15 minutes' }] },
    memo: 'Order.risk assessments for recent orders; HIGH / CANCEL flagged in MySQL and DynamoDB',
  },
  {
    id: 'orders-lake',
    workflowType: 'ordersToLake',
    args: [{}],
    taskQueue: 'data',
    spec: { cronExpressions: ['30 1 * * *'] },
    memo: "Yesterday's orders → S3 lake partition → DynamoDB",
  },
  {
    id: 'orders-reconcile',
    workflowType: 'reconcileOrders',
    args: [{}],
    taskQueue: 'data',
    spec: { cronExpressions: ['0 2 * * *'] },
    memo: "Yesterday's orders: Shopify vs orders DB vs lake vs DynamoDB",
  },
  {
    id: 'customers-incoming-scan',
    workflowType: 'scanIncomingFiles',
    args: [{ domains: ['customers'] }],
    taskQueue: 'data',
    spec: { intervals: [{ every: '10 minutes' }] },
    memo: 'New customer CSVs in incoming/customers/ → one customers-import workflow per file version',
  },
  {
    id: 'loyalty-store-export',
    workflowType: 'loyaltyStoreExport',
    args: [{}],
    taskQueue: 'data',
    spec: { cronExpressions: ['0 4 * * *'] },
    memo:
      "The last 3 days' store DB loyalty_transactions not exported before (late POS syncs) → " +
      'incoming/loyalty/store-db-<day>[-part-<n>].csv → converted (child runs)',
  },
  {
    id: 'loyalty-daily',
    workflowType: 'scanIncomingFiles',
    args: [{ domains: ['loyalty'] }],
    taskQueue: 'data',
    spec: { cronExpressions: ['30 4 * * *'] },
    memo: "The day's loyalty exports in incoming/loyalty/ → month-partitioned Parquet and card balances",
  },
];

/** Creates missing schedules and updates existing ones to match their declaration. Idempotent. */
export async function applySchedules(client: Client, declarations = SCHEDULES): Promise<string[]> {
  const applied: string[] = [];
  for (const d of declarations) {
    const options: ScheduleOptions = {
      scheduleId: d.id,
      spec: d.spec,
      action: {
        type: 'startWorkflow',
        workflowType: d.workflowType,
        args: d.args,
        taskQueue: d.taskQueue,
        workflowId: d.id,
        typedSearchAttributes: d.searchAttributes,
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      memo: d.memo ? { description: d.memo } : undefined,
    };
    try {
      await client.schedule.create(options);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(d.id).update((prev) => ({ ...prev, spec: d.spec, action: options.action }));
    }
    applied.push(d.id);
  }
  return applied;
}
