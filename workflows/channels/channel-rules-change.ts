import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createRulesActivities } from '../../activities/channels/rules-activities';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

// Built per run, not at module load: workflowInfo() only exists inside a workflow execution, and a module-level
// proxy would keep the first run's task queue for every later run sharing the bundle.
// A rules document that does not validate fails at once (nonRetryable InvalidRules); the database may retry.
const rulesActivities = () =>
  proxyActivities<ReturnType<typeof createRulesActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 10 },
  });

/** Stores a new version of the allocation rules and re-syncs the SKUs it affects on every channel. */
export async function channelRulesChange(input: { doc: unknown; author: string; note?: string }) {
  upsertSearchAttributes([{ key: SA.Pipeline, value: 'channel-rules' }]);
  const r = await withSummary(rulesActivities(), `store rules version by ${input.author}`).applyRulesChange(input);
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
  return r;
}
