import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** What every workflow bundle is made of: the workflows and the interceptors they run under. */
export const WORKFLOW_BUNDLE_SOURCES = {
  workflowsPath: path.join(root, 'workflows/index.ts'),
  // Sets SyncStatus Failed on every failed workflow (workflows/platform/failed-status.ts).
  workflowInterceptorModules: [path.join(root, 'workflows/platform/failed-status.ts')],
};
