import type { ScheduleSpec } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import type { RunSummary } from '../../domain/platform/run-summary';
import type { QueueRole } from '../../domain/platform/task-queues';
import type { Deps } from './deps';

/** One periodic pipeline run; `id` is stable so applying twice updates instead of duplicating. */
export interface ScheduleDeclaration {
  id: string;
  workflowType: string;
  args: unknown[];
  taskQueue: 'shopify' | 'data';
  spec: ScheduleSpec;
  memo?: string;
  /** What the Temporal UI shows for each run the schedule starts (`staticSummary` / `staticDetails`). */
  summary: RunSummary;
  searchAttributes?: TypedSearchAttributes;
}

export type ActivityMap = Record<string, (...args: never[]) => unknown>;

/**
 * What one business area brings to the workers: its activities per task queue and its schedules. Its workflows
 * are exported from `workflows/<area>/index.ts`. Adding a pipeline edits its own area's registration only.
 */
export interface AreaRegistration {
  name: string;
  activities(deps: Deps): Partial<Record<QueueRole, ActivityMap>>;
  schedules: ScheduleDeclaration[];
}

/** The store codes the store DB knows, read when a file needs them (customers' and loyalty's store columns). */
export const storeCodesFrom = (deps: Deps) => async () =>
  ((await deps.pools.store.query('SELECT code FROM stores'))[0] as { code: string }[]).map((r) => r.code);
