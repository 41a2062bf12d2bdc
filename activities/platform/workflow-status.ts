import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** What workflows may ask of Temporal about other workflows (they cannot describe one themselves). */
export function createWorkflowStatusActivities(deps: { temporal(): Promise<Client> }) {
  return {
    /** True when the latest run under `workflowId` completed successfully. */
    async workflowCompleted(workflowId: string): Promise<boolean> {
      const client = await deps.temporal();
      try {
        return (await client.workflow.getHandle(workflowId).describe()).status.name === 'COMPLETED';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },
  };
}
