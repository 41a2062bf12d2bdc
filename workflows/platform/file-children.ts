import {
  ParentClosePolicy,
  startChild,
  WorkflowIdReusePolicy,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
  type Workflow,
} from '@temporalio/workflow';
import type { RunSummary } from '../../domain/platform/run-summary';

/** startChild for a workflow function and its argument tuple (its overloads do not resolve for a generic T). */
const start = startChild as <T extends Workflow>(
  workflow: T,
  options: ChildWorkflowOptions & { args: Parameters<T> },
) => Promise<ChildWorkflowHandle<T>>;

/**
 * Starts the workflow of one file version under its own id (`<pipeline>/<key>@<etag>`), outliving its parent. Null
 * when that version already has its run, running or completed; a failed one may run again
 * (ALLOW_DUPLICATE_FAILED_ONLY). The scan, the loyalty intake and the store export all start files this way, so a
 * version is processed once whichever of them gets there first.
 */
export async function startOncePerVersion<T extends Workflow>(
  workflow: T,
  workflowId: string,
  args: Parameters<T>,
  summary: RunSummary,
): Promise<ChildWorkflowHandle<T> | null> {
  try {
    return await start(workflow, {
      workflowId,
      args,
      ...summary,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    return null;
  }
}
