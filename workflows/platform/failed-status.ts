import { TemporalFailure } from '@temporalio/common';
import {
  ContinueAsNew,
  isCancellation,
  upsertSearchAttributes,
  workflowInfo,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { SA } from '../../domain/platform/search-attributes';

/** Statuses a workflow sets itself just before it fails on purpose; they say more than `Failed`. */
const KEEP = new Set(['Invalid']);

/**
 * Every workflow that ends failed (or cancelled) says so in `SyncStatus`, instead of staying `Running` after a
 * non-retryable failure. Bundled as a workflow interceptor (workers/workflow-bundle.ts) so no workflow can forget
 * it. Only a TemporalFailure fails a workflow: any other error fails the workflow task, which Temporal retries,
 * so its status is left alone; continue-as-new is not a failure.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (err) {
          if (err instanceof ContinueAsNew) throw err;
          const current = workflowInfo().typedSearchAttributes.get(SA.SyncStatus);
          if (isCancellation(err)) upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Cancelled' }]);
          else if (err instanceof TemporalFailure && !KEEP.has(current ?? ''))
            upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
          throw err;
        }
      },
    },
  ],
});
