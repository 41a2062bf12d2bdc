import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { QueueRole } from '../../domain/platform/task-queues';
import { loadConfig, type TaskQueueName } from '../../workers/config';
import { createDeps, type Deps } from '../../workers/deps';
import { installWorkerLogging, sdkLogLevel } from '../../workers/logging';
import { activitiesFor } from '../../workers/registry';

export interface TemporalHarness {
  client: Client;
  /** `queue('data')` → this file's own `<prefix>.data`, so test files never take each other's tasks. */
  queue(role: QueueRole): string;
  /** Runs `fn` while workers poll this file's queues (one per role given); they stop when `fn` settles. */
  withWorkers<T>(activities: Partial<Record<QueueRole, WorkerOptions['activities']>>, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A client plus isolated task queues for one test file, on the dev server the global setup started. */
export async function temporalHarness(name: string): Promise<TemporalHarness> {
  const config = loadConfig();
  installWorkerLogging(sdkLogLevel(process.env, 'ERROR')); // tests provoke activity failures on purpose
  const connection = await Connection.connect({ address: config.temporal.address });
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const prefix = `${name}-${randomUUID().slice(0, 8)}`;
  const queue = (role: QueueRole) => `${prefix}.${role}`;
  return {
    client,
    queue,
    async withWorkers(activities, fn) {
      const workers = await Promise.all(
        Object.entries(activities).map(([role, acts]) =>
          Worker.create({
            connection: nativeConnection,
            namespace: config.temporal.namespace,
            taskQueue: queue(role as QueueRole),
            workflowBundle: { codePath: process.env.BACKBONE_WORKFLOW_BUNDLE! },
            activities: acts,
          }),
        ),
      );
      const [first, ...rest] = workers;
      if (!first) return fn();
      // runUntil on one worker; the others run alongside and are shut down when it returns.
      const others = rest.map((w) => w.run());
      try {
        return await first.runUntil(fn);
      } finally {
        for (const w of rest) w.shutdown();
        await Promise.allSettled(others);
      }
    },
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** The activities a queue serves in production, built from the test environment's config. */
export function productionActivities(queue: TaskQueueName): {
  deps: Deps;
  activities: ReturnType<typeof activitiesFor>;
} {
  const deps = createDeps(loadConfig());
  return { deps, activities: activitiesFor(queue, deps) };
}
