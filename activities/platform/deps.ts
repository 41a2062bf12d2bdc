import type mysql from 'mysql2/promise';
import type { Client } from '@temporalio/client';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ShopifyClient } from '../../connectors/shopify';
import type { Config } from '../../workers/config';
import type { Database } from '../../db/databases';

/** The clients every activity factory draws from; built once per worker process by `workers/deps.ts`. */
export interface Deps {
  config: Config;
  pools: Record<Database, mysql.Pool>;
  s3: S3Client;
  dynamo: DynamoDBClient;
  /** The Admin API client; every instance for the same shop shares one cost budget. */
  shopify: ShopifyClient;
  /** A Temporal client for activities that start or signal workflows (e.g. the outbox relay). */
  temporal(): Promise<Client>;
  close(): Promise<void>;
}
