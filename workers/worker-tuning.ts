import type { WorkerOptions } from '@temporalio/worker';

/**
 * Node/V8 flags every worker process starts with (`scripts/start.ts`; `test/support/child-worker.ts` starts its
 * stand-ins the same way). V8's young generation grows to 3 × the semi-space limit, and on this Node that limit is
 * sized from the machine: loading the areas' modules (drizzle, the AWS SDK, Temporal) makes ~150 MB of short-lived
 * garbage, which a large young generation keeps resident. 8 MB semi-spaces take a worker's idle RSS from ~370 MiB
 * to ~250 MiB (bench/inventory/ledger-ingest.ts reports it) at the cost of more, cheaper scavenges. The old space
 * is bounded so a burst is collected instead of growing the heap toward the machine's memory.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=384'];

/**
 * Workflow-side memory: one reused V8 context for all workflows (the SDK's default, stated), and a sticky cache
 * sized in workflows rather than from the heap limit (the SDK's default with a multi-GB heap is ~1,000 cached
 * executions, each holding its state): thousands of per-SKU workflows would otherwise stay resident.
 */
export const WORKER_TUNING = {
  reuseV8Context: true,
  maxCachedWorkflows: 200,
  // The SDK sends at most one heartbeat per 80 % of the activity's heartbeat timeout (4 s of 5): a beat recorded
  // every second (keepAlive) would reach Temporal every 4 s, 1 s inside the timeout. At most one a second instead:
  // the long-running pipelines (pickup, pusher, channel sync, Amazon orders) have a 5 s heartbeat timeout, so a killed
  // worker's attempt is retried elsewhere ~5 s after the kill, not 20-30 s, while a live one has 4 s of slack.
  maxHeartbeatThrottleInterval: '1 second',
  // A workflow task for a workflow cached on a worker waits this long on that worker's sticky queue before any worker
  // may take it (the SDK's default is 10 s). A live worker always has a sticky poll waiting, so this only matters
  // once the worker is gone: a killed worker's workflows (the pickup between two runs of its activity, a channel
  // round) then go on elsewhere after 3 s instead of 10.
  stickyQueueScheduleToStartTimeout: '3 seconds',
} satisfies Partial<WorkerOptions>;
