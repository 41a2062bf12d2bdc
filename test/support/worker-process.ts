import { NativeConnection, Worker } from '@temporalio/worker';
import { loadConfig, type TaskQueueName } from '../../workers/config';
import { createDeps } from '../../workers/deps';
import { installWorkerLogging, sdkLogLevel } from '../../workers/logging';
import { activitiesFor } from '../../workers/registry';
import { WORKER_TUNING } from '../../workers/worker-tuning';

// A production worker in its own process, for tests that kill it: `node --import tsx worker-process.ts <prefix>`.
// Configuration comes from the environment (the test points it at its own databases and sandbox); the roles it
// polls from CHILD_WORKER_QUEUES (default shopify,data).
const prefix = process.argv[2]!;
const config = loadConfig();
installWorkerLogging(sdkLogLevel(process.env, 'ERROR'));
const deps = createDeps(config);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const workers = await Promise.all(
  ((process.env.CHILD_WORKER_QUEUES ?? 'shopify,data').split(',') as TaskQueueName[]).map((role) =>
    Worker.create({
      connection,
      taskQueue: `${prefix}.${role}`,
      workflowBundle: { codePath: process.env.BACKBONE_WORKFLOW_BUNDLE! },
      activities: activitiesFor(role, deps),
      ...WORKER_TUNING,
    }),
  ),
);
process.stdout.write('worker-ready\n');
await Promise.all(workers.map((w) => w.run()));
