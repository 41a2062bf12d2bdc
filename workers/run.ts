import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config, TaskQueueName } from './config';
import { createDeps } from './deps';
import { bundlerLogger, installWorkerLogging } from './logging';
import { activitiesFor } from './registry';
import { connectWorker } from './temporal-connection';
import { WORKFLOW_BUNDLE_SOURCES } from './workflow-bundle';
import { WORKER_TUNING } from './worker-tuning';

const root = path.resolve(import.meta.dirname, '..');

/**
 * The production bundle if `npm run build` made one (or BACKBONE_WORKFLOW_BUNDLE names one), else one bundle
 * of the sources made here for every queue, its webpack output at debug level.
 */
export async function workflowSource(): Promise<Pick<WorkerOptions, 'workflowBundle'>> {
  const bundle = process.env.BACKBONE_WORKFLOW_BUNDLE ?? path.join(root, 'dist/workflow-bundle.js');
  if (fs.existsSync(bundle)) return { workflowBundle: { codePath: bundle } };
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_SOURCES, logger: bundlerLogger() });
  return { workflowBundle: { code } };
}

/**
 * Runs one Worker per task queue in this process until SIGINT/SIGTERM, then drains in-flight tasks
 * (the SDK's graceful shutdown) and closes pools.
 */
export async function runWorkers(config: Config, queues: readonly TaskQueueName[]): Promise<void> {
  installWorkerLogging();
  const deps = createDeps(config);
  const connection = await connectWorker(config);
  try {
    const source = await workflowSource();
    const workers = await Promise.all(
      queues.map((taskQueue) =>
        Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue,
          ...source,
          activities: activitiesFor(taskQueue, deps),
          ...WORKER_TUNING,
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
