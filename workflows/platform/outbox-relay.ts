import { continueAsNew, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createOutboxActivities } from '../../activities/platform/outbox';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';

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
  const { relayOutbox } = proxyActivities<ReturnType<typeof createOutboxActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  let relayed = opts.relayed ?? 0;
  for (let i = 0; i < 50 && !workflowInfo().continueAsNewSuggested; i++) {
    relayed += await relayOutbox({
      taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
      runForMs: opts.runForMs ?? 60_000,
      pollMs: opts.pollMs ?? 100,
      batch: opts.batch ?? 500,
    });
  }
  await continueAsNew<typeof outboxRelay>({ ...opts, relayed });
}
