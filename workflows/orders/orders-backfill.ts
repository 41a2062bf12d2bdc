import { defineQuery, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { BulkIngestProgress, createOrdersBulkActivities } from '../../activities/orders/orders-bulk';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';

export interface OrdersBackfillInput {
  /** Orders created in [from, to), ISO-8601. */
  from: string;
  to: string;
  /** Ingest this existing operation instead of starting one (e.g. a new run after a failed one). */
  operationId?: string;
  /** How soon a silent (dead) ingest is retried elsewhere; its heartbeats are throttled to 80 % of it. */
  heartbeatTimeoutSeconds?: number;
  /** Orders per write transaction (default 500). */
  batchSize?: number;
}

export type OrdersBackfillResult = BulkIngestProgress & { operationId: string; from: string; to: string };

export const ordersBackfillProgressQuery = defineQuery<{ operationId: string | null; phase: string }>('progress');

/**
 * Historical orders by one Shopify bulk query, id `orders-backfill/<shop>/<from>_<to>`. The operation id is in
 * history as soon as it exists, so a restarted worker ingests that operation (the ingest resumes from its
 * heartbeat) and never starts a second one.
 */
export async function ordersBackfill(input: OrdersBackfillInput): Promise<OrdersBackfillResult> {
  const taskQueue = taskQueueFor('shopify', workflowInfo().taskQueue);
  const start = proxyActivities<ReturnType<typeof createOrdersBulkActivities>>({
    taskQueue,
    startToCloseTimeout: '1 minute',
  });
  // Streaming a whole result takes long: judged by its heartbeat, not by a tight deadline.
  const ingest = proxyActivities<ReturnType<typeof createOrdersBulkActivities>>({
    taskQueue,
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds ?? 20} seconds`,
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  let operationId = input.operationId ?? null;
  let phase = 'starting';
  setHandler(ordersBackfillProgressQuery, () => ({ operationId, phase }));
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'orders-backfill' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncWindow, value: `${input.from}/${input.to}` },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  operationId ??= await start.startOrdersBulk(input.from, input.to);
  phase = 'ingesting';
  const result = await ingest.ingestOrdersBulk(operationId, input.batchSize);
  phase = 'done';
  upsertSearchAttributes([{ key: SA.SyncStatus, value: result.flagged.length ? 'CompletedWithFlags' : 'Completed' }]);
  return { ...result, from: input.from, to: input.to };
}
