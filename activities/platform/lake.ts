import type { Lake } from '../../lake/lake-writer';
import { mysqlLakeLock } from '../../lake/lake-lock';
import type { Deps } from './deps';

const lakes = new WeakMap<Deps, Lake>();

/**
 * The worker's one Lake handle (lake/lake-writer.ts): lake and quarantine buckets, and the table lock across workers
 * (a MariaDB named lock on the extraction database). Every activity factory that writes lake tables uses it.
 */
export function extractionLake(deps: Deps): Lake {
  let lake = lakes.get(deps);
  if (!lake) {
    lake = {
      s3: deps.s3,
      bucket: deps.config.aws.buckets.lake,
      quarantineBucket: deps.config.aws.buckets.quarantine,
      lock: mysqlLakeLock(deps.pools.extraction),
    };
    lakes.set(deps, lake);
  }
  return lake;
}
