import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { ScheduleDeclaration } from '../activities/platform/area';
import { AREAS } from '../workers/areas';

export type { ScheduleDeclaration };

/** Every schedule the project runs: each area declares its own. */
export const SCHEDULES: ScheduleDeclaration[] = AREAS.flatMap((area) => area.schedules);

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
        staticSummary: d.summary.staticSummary,
        staticDetails: d.summary.staticDetails,
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
