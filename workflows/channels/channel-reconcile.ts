import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createReconcileActivities } from '../../activities/channels/reconcile';
import type { Channel } from '../../domain/channels/channels';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

// Reading 10,000 listings at Amazon's 5 req/s takes over half an hour: heartbeats keep a killed worker's pass short.
// Built per run: workflowInfo() exists only inside a workflow execution.
const reconcileActivities = () =>
  proxyActivities<ReturnType<typeof createReconcileActivities>>({
    taskQueue: taskQueueFor('amazon', workflowInfo().taskQueue),
    startToCloseTimeout: '3 hours',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
  });

/**
 * Each Amazon channel's offer compared with its allocation, drift corrected (re-sent by the channel's sync),
 * a report per channel in the lake; the summaries are the result (the ops console shows the latest).
 */
export async function channelReconcile(input: { channels?: Channel[] } = {}) {
  upsertSearchAttributes([{ key: SA.Pipeline, value: 'channel-reconcile' }]);
  const runId = workflowInfo().workflowId.replace(/[^A-Za-z0-9_-]/g, '_');
  const acts = reconcileActivities();
  const out = [];
  for (const channel of input.channels ?? (['amazon', 'amazon-vendor'] as Channel[]))
    out.push(await withSummary(acts, `reconcile ${channel}`).reconcileChannel({ channel, runId }));
  upsertSearchAttributes([{ key: SA.SyncStatus, value: out.some((r) => r.drifted) ? 'Failed' : 'Synced' }]);
  return out;
}
