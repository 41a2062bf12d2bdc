import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { Connection } from '@temporalio/client';
import mysql from 'mysql2/promise';
import { createDynamoClient } from '../lake/dynamo-tables';
import { createS3Client } from '../lake/s3';
import { ConfigError, redactUrl, type Config } from './config';
import { DATABASES } from '../db/databases';

const TIMEOUT_MS = 4000;

/**
 * Checks, in parallel, that every configured service answers, and throws one ConfigError naming each
 * key whose endpoint does not — so a worker fails at start, not at its first activity.
 */
export async function preflight(config: Config): Promise<void> {
  const checks: [key: string, check: () => Promise<unknown>][] = [
    [
      'TEMPORAL_ADDRESS',
      () => Connection.connect({ address: config.temporal.address, connectTimeout: TIMEOUT_MS }).then((c) => c.close()),
    ],
    ...DATABASES.map(
      (db) =>
        [
          `${db.toUpperCase()}_DATABASE_URL`,
          async () => {
            // The server and credentials must work; a missing database is created by the migrations.
            const server = new URL(config.databases[db]);
            server.pathname = '/';
            const conn = await mysql.createConnection({ uri: server.toString(), connectTimeout: TIMEOUT_MS });
            await conn.end();
          },
        ] as [string, () => Promise<unknown>],
    ),
    [
      config.aws.s3Endpoint ? 'AWS_ENDPOINT_URL_S3' : 'LAKE_BUCKET',
      // Any HTTP answer (even 404 before the bucket is created) proves the endpoint is there.
      () =>
        withClient(createS3Client(config.aws), (s3) =>
          s3
            .send(new HeadBucketCommand({ Bucket: config.aws.buckets.lake }))
            .catch((err: { $metadata?: { httpStatusCode?: number } }) => {
              if (!err.$metadata?.httpStatusCode) throw err;
            }),
        ),
    ],
    [
      config.aws.dynamodbEndpoint ? 'AWS_ENDPOINT_URL_DYNAMODB' : 'AWS_REGION',
      () => withClient(createDynamoClient(config.aws), (d) => d.send(new ListTablesCommand({ Limit: 1 }))),
    ],
  ];
  const results = await Promise.all(
    checks.map(async ([key, check]) => {
      try {
        await withTimeout(check(), TIMEOUT_MS + 1000);
        return undefined;
      } catch (err) {
        return `${key}: unreachable (${describe(err)})`;
      }
    }),
  );
  const problems = results.filter((r): r is string => r !== undefined);
  if (problems.length) throw new ConfigError(problems);
}

async function withClient<C extends { destroy(): void }, T>(client: C, fn: (c: C) => Promise<T>): Promise<T> {
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]);
}

// Driver errors can quote the URL they were given; keep only what helps and never a password.
function describe(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string };
  const text = e.code ?? e.name ?? 'error';
  const message = (e.message ?? '').replace(/mysql:\/\/[^\s]+/g, (u) => safe(u)).slice(0, 160);
  return message && !message.includes(text) ? `${text}: ${message}` : message || text;
}

function safe(url: string): string {
  try {
    return redactUrl(url);
  } catch {
    return 'mysql://***';
  }
}
