import { createHealthActivities } from '../activities/health';
import type { TaskQueueName } from './config';
import type { Deps } from './deps';

/**
 * Which activities each task queue serves. All Shopify calls run on `shopify` so one process-wide cost
 * budget governs them; bulk DB/S3/DynamoDB work runs on `data`.
 */
export function activitiesFor(queue: TaskQueueName, deps: Deps): Record<string, (...args: never[]) => unknown> {
  const { config } = deps;
  switch (queue) {
    case 'data':
      return {
        ...createHealthActivities({
          mysql: deps.pools.orders,
          s3: deps.s3,
          dynamo: deps.dynamo,
          lakeBucket: config.aws.buckets.lake,
          tablePrefix: config.aws.tablePrefix,
        }),
      };
    case 'shopify':
      return {};
    case 'amazon':
    case 'lightspeed':
      return {};
  }
}
