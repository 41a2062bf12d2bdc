import {
  defineQuery,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { BulkIngestProgress, createOrdersBulkActivities } from '../../activities/orders/orders-bulk';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { thousands, timeWindow } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';

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
  const window = timeWindow(input.from, input.to);
  const details = () => setCurrentDetails(`**${phase}** · bulk operation ${operationId ?? '(not started)'}`);
  details();
  operationId ??= await withSummary(start, `bulk query orders created ${window}`).startOrdersBulk(input.from, input.to);
  phase = 'ingesting';
  details();
  const result = await withSummary(ingest, `ingest bulk result ${operationId}`).ingestOrdersBulk(
    operationId,
    input.batchSize,
  );
  phase = 'done';
  setCurrentDetails(
    `**done** · bulk operation ${operationId} · ${thousands(result.orders)} orders (${thousands(result.inserted)} new, ` +
      `${thousands(result.updated)} updated, ${thousands(result.stale)} stale) · ${result.flagged.length} flagged`,
  );
  upsertSearchAttributes([{ key: SA.SyncStatus, value: result.flagged.length ? 'CompletedWithFlags' : 'Completed' }]);
  return { ...result, from: input.from, to: input.to };
}
