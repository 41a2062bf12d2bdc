import { withTemporalFailures } from '../activities/platform/failures';
import type { ActivityMap } from '../activities/platform/area';
import { INCOMING_FILE_ACTIVITY_NAMES } from '../activities/platform/incoming-files';
import { AREAS } from './areas';
import type { TaskQueueName } from './config';
import type { Deps } from './deps';

/**
 * Which activities each task queue serves: the union of every area's. All Shopify calls run on `shopify` so one
 * cost budget governs them; bulk DB/S3/DynamoDB work runs on `data`.
 */
export function activitiesFor(queue: TaskQueueName, deps: Deps): ActivityMap {
  const merged: ActivityMap = {};
  for (const area of AREAS) {
    for (const [name, fn] of Object.entries(area.activities(deps)[queue] ?? {})) {
      if (name in merged && !INCOMING_FILE_ACTIVITY_NAMES.has(name))
        throw new Error(`activity ${name} is registered twice on ${queue} (area ${area.name})`);
      merged[name] = fn;
    }
  }
  return withTemporalFailures(merged);
}
