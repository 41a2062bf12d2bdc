import fs from 'node:fs';
import path from 'node:path';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config, TaskQueueName } from './config';
import { createDeps } from './deps';
import { activitiesFor } from './registry';
import { connectWorker } from './temporal-connection';
import { WORKFLOW_BUNDLE_SOURCES } from './workflow-bundle';

const root = path.resolve(import.meta.dirname, '..');

/** The production bundle if `npm run build` made one (or BACKBONE_WORKFLOW_BUNDLE names one), else the sources. */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  const bundle = process.env.BACKBONE_WORKFLOW_BUNDLE ?? path.join(root, 'dist/workflow-bundle.js');
  if (fs.existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  return {
    workflowsPath: WORKFLOW_BUNDLE_SOURCES.workflowsPath,
    interceptors: { workflowModules: WORKFLOW_BUNDLE_SOURCES.workflowInterceptorModules },
  };
}

/**
 * Runs one Worker per task queue in this process until SIGINT/SIGTERM, then drains in-flight tasks
 * (the SDK's graceful shutdown) and closes pools.
 */
export async function runWorkers(config: Config, queues: readonly TaskQueueName[]): Promise<void> {
  const deps = createDeps(config);
  const connection = await connectWorker(config);
  try {
    const source = workflowSource();
    const workers = await Promise.all(
      queues.map((taskQueue) =>
        Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue,
          ...source,
          activities: activitiesFor(taskQueue, deps),
          shutdownGraceTime: '10 seconds',
        }),
      ),
    );
    console.log(`[worker] polling task queues: ${queues.join(', ')} (pid ${process.pid})`);
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
    await deps.close();
  }
}
