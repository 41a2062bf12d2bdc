import { ensureTables, createDynamoClient } from '../lake/dynamo-tables';
import { createS3Client, ensureBuckets } from '../lake/s3';
import type { Config } from '../workers/config';
import { migrateAll } from '../db/migrate';

/** Everything the pipelines expect to exist: migrated databases, buckets, DynamoDB tables. Idempotent. */
export async function bootstrapStack(config: Config): Promise<void> {
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  try {
    await Promise.all([
      migrateAll(config.databases, { createDatabases: config.env !== 'production' }),
      ensureBuckets(s3, Object.values(config.aws.buckets)),
      ensureTables(dynamo, config.aws.tablePrefix),
    ]);
  } finally {
    s3.destroy();
    dynamo.destroy();
  }
}
