import { ConfigError, loadConfig, type TaskQueueName } from './config';
import { preflight } from './preflight';
import { runWorkers } from './run';

// Entry point: `tsx workers/main.ts [queue...]`; without arguments, WORKER_TASK_QUEUES decides.
try {
  const config = loadConfig();
  const queues = (process.argv.slice(2).length ? process.argv.slice(2) : config.taskQueues) as TaskQueueName[];
  await preflight(config);
  await runWorkers(config, queues);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
