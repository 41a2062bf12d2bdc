import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createOutboxActivities, RelayReport } from '../../activities/platform/outbox';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { thousands } from '../../domain/platform/run-summary';
import { withSummary } from './activity-summary';

export interface RelayOptions {
  pollMs?: number;
  batch?: number;
  runForMs?: number;
  relayed?: number;
}

/**
 * Turns PIM outbox rows into product-publish signals, forever: each activity polls for a minute with
 * heartbeats (a killed worker's activity is retried after the heartbeat timeout), and the workflow
 * continues as new to keep its history short.
 */
export async function outboxRelay(opts: RelayOptions = {}): Promise<void> {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'outbox-relay' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  const a = proxyActivities<ReturnType<typeof createOutboxActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  let relayed = opts.relayed ?? 0;
  const runForMs = opts.runForMs ?? 60_000;
  // Current details: rows relayed, and the lag the last poll left (rows pending, age of the oldest).
  let last: (RelayReport & { at: string }) | undefined;
  const details = () =>
    setCurrentDetails(
      `**relaying** · ${thousands(relayed)} outbox rows relayed since start` +
        (last
          ? ` · last poll (${runForMs / 1000} s) ended ${last.at}: ${thousands(last.relayed)} rows · ` +
            `${thousands(last.pending)} pending` +
            (last.oldestPendingMs === null ? '' : `, oldest ${Math.round(last.oldestPendingMs / 1000)} s old`)
          : ''),
    );
  details();
  for (let i = 0; i < 50 && !workflowInfo().continueAsNewSuggested; i++) {
    const result = await withSummary(a, `relay outbox for ${runForMs / 1000} s`).relayOutbox({
      taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
      runForMs,
      pollMs: opts.pollMs ?? 100,
      batch: opts.batch ?? 500,
    });
    // A history recorded before the report existed holds a bare count.
    const report: RelayReport =
      typeof result === 'number' ? { relayed: result, pending: 0, oldestPendingMs: null } : result;
    relayed += report.relayed;
    last = { ...report, at: new Date().toISOString().slice(11, 19) };
    details();
  }
  await continueAsNew<typeof outboxRelay>({ ...opts, relayed });
}
