import mysql from 'mysql2/promise';
import { Client, type Connection } from '@temporalio/client';
import { createDynamoClient } from '../lake/dynamo-tables';
import { createS3Client } from '../lake/s3';
import type { Deps } from '../activities/platform/deps';
import type { Config } from './config';
import { DATABASES } from '../db/databases';
import { createShopifyClient } from './shopify-client';
import { connectClient } from './temporal-connection';

export type { Deps };

/**
 * A bounded pool that gives up: at most 20 connections, a connect that fails after 5 s (so a database that accepts
 * and never answers fails the activity, which retries), and a bounded queue of callers waiting for a connection
 * (mysql2's default queue is unbounded).
 */
export function mysqlPoolOptions(uri: string, { connectTimeoutMs = 5_000, connectionLimit = 20 } = {}) {
  return {
    uri,
    connectionLimit,
    connectTimeout: connectTimeoutMs,
    queueLimit: 1_000,
    enableKeepAlive: true,
    decimalNumbers: false,
    timezone: 'Z',
  };
}

export function createDeps(config: Config): Deps {
  const pool = (uri: string) => mysql.createPool(mysqlPoolOptions(uri));
  const pools = Object.fromEntries(DATABASES.map((db) => [db, pool(config.databases[db])])) as Deps['pools'];
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  let connection: Promise<Connection> | undefined;
  return {
    config,
    pools,
    s3,
    dynamo,
    shopify: createShopifyClient(config, dynamo),
    async temporal() {
      connection ??= connectClient(config);
      return new Client({ connection: await connection, namespace: config.temporal.namespace });
    },
    async close() {
      if (connection) await (await connection).close();
      await Promise.all(Object.values(pools).map((p) => p.end()));
      s3.destroy();
      dynamo.destroy();
    },
  };
}
