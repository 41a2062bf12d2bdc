import { describe, expect, it } from 'vitest';

// Workflow modules are evaluated once per bundle and shared by every run: code at module level that calls the
// workflow API (workflowInfo() for a task queue, say) throws outside an execution and, inside one, would freeze the
// first run's values for all later runs. Importing the index outside any workflow proves no module does that.
describe('workflow modules', () => {
  it('load without calling the workflow API at module level', async () => {
    const workflows = await import('../../../workflows');
    expect(Object.keys(workflows).length).toBeGreaterThan(20);
  });
});
