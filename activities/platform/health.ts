import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Pool } from 'mysql2/promise';
import { tableName } from '../../lake/dynamo-tables';

export interface HealthDeps {
  mysql: Pool;
  s3: S3Client;
  dynamo: DynamoDBClient;
  lakeBucket: string;
  tablePrefix: string;
}

export interface ProbeResult {
  mysql: string;
  s3: string;
  dynamodb: string;
}

/**
 * Proves each store the pipelines use accepts a write and returns it: a row in MySQL, an object in S3,
 * an item in DynamoDB, all keyed by the probe id so a retry overwrites instead of adding.
 */
export function createHealthActivities(deps: HealthDeps) {
  return {
    async probeStores(probeId: string): Promise<ProbeResult> {
      const body = JSON.stringify({ probeId, at: new Date().toISOString() });
      await deps.mysql.execute(
        `CREATE TABLE IF NOT EXISTS health_probes (probe_id VARCHAR(128) PRIMARY KEY, body JSON NOT NULL,
         created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
      );
      await deps.mysql.execute('REPLACE INTO health_probes (probe_id, body) VALUES (?, ?)', [probeId, body]);
      const [rows] = await deps.mysql.execute('SELECT body FROM health_probes WHERE probe_id = ?', [probeId]);
      const mysqlBody = (rows as { body: unknown }[])[0]?.body;

      const Key = `health/${probeId}.json`;
      await deps.s3.send(new PutObjectCommand({ Bucket: deps.lakeBucket, Key, Body: body }));
      const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.lakeBucket, Key }));
      const s3Body = await object.Body!.transformToString();

      const TableName = tableName(deps.tablePrefix, 'webhookEvents');
      await deps.dynamo.send(
        new PutItemCommand({ TableName, Item: { dedupeKey: { S: `health/${probeId}` }, body: { S: body } } }),
      );
      const item = await deps.dynamo.send(
        new GetItemCommand({ TableName, Key: { dedupeKey: { S: `health/${probeId}` } }, ConsistentRead: true }),
      );
      return {
        mysql: typeof mysqlBody === 'string' ? mysqlBody : JSON.stringify(mysqlBody),
        s3: s3Body,
        dynamodb: item.Item?.body?.S ?? '',
      };
    },
  };
}
