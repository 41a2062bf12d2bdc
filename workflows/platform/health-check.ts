import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createHealthActivities, ProbeResult } from '../../activities/platform/health';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from './activity-summary';

const dataActivities = () =>
  proxyActivities<ReturnType<typeof createHealthActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
  });

/** Writes to and reads back from every store; `npm start` runs it to prove the stack is wired. */
export async function healthCheck(): Promise<ProbeResult & { ok: boolean }> {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'health-check' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const probeId = workflowInfo().workflowId.replace(/[^A-Za-z0-9._-]/g, '_');
  const result = await withSummary(dataActivities(), `write and read probe ${probeId}`).probeStores(probeId);
  const ok = [result.mysql, result.s3, result.dynamodb].every((body) => body.includes(probeId));
  upsertSearchAttributes([{ key: SA.SyncStatus, value: ok ? 'Completed' : 'Failed' }]);
  return { ...result, ok };
}
