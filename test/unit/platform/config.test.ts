import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../../workers/config';

describe('configuration', () => {
  it('applies local defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.temporal.address).toBe('127.0.0.1:7233');
    expect(c.databases.pim).toBe('mysql://root@127.0.0.1:3307/pim');
    expect(c.shopify.apiVersion).toBe('2026-10');
    expect(c.taskQueues).toEqual(['shopify', 'data']);
    expect(c.lake).toEqual({ parquetCompression: 'snappy', duckdbMemory: '128MB' });
  });

  it('lists every missing or invalid key in one message', () => {
    let error: unknown;
    try {
      loadConfig({
        PIM_DATABASE_URL: 'postgres://x/y',
        WEBHOOK_PORT: 'abc',
        TEMPORAL_TLS: 'maybe',
        AWS_ENDPOINT_URL_S3: 'not a url',
        LAKE_PARQUET_COMPRESSION: 'gzip',
        LAKE_DUCKDB_MEMORY: 'lots',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    const keys = ['PIM_DATABASE_URL', 'WEBHOOK_PORT', 'TEMPORAL_TLS', 'AWS_ENDPOINT_URL_S3'];
    for (const key of [...keys, 'LAKE_PARQUET_COMPRESSION', 'LAKE_DUCKDB_MEMORY']) expect(message).toContain(key);
    expect((error as ConfigError).problems).toHaveLength(6);
  });

  it('requires real secrets and database URLs in production', () => {
    expect(() => loadConfig({ BACKBONE_ENV: 'production' })).toThrowError(
      /SHOPIFY_ACCESS_TOKEN[\s\S]*SHOPIFY_WEBHOOK_SECRET[\s\S]*PIM_DATABASE_URL[\s\S]*STORE_DATABASE_URL[\s\S]*ORDERS_DATABASE_URL/,
    );
  });

  it('accepts a production configuration pointing at real services', () => {
    const c = loadConfig({
      BACKBONE_ENV: 'production',
      TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'acme.a1b2c',
      TEMPORAL_API_KEY: 'secret-key',
      PIM_DATABASE_URL: 'mysql://app:pw@pim.cluster.rds.amazonaws.com:3306/pim',
      STORE_DATABASE_URL: 'mysql://app:pw@store.cluster.rds.amazonaws.com:3306/store',
      ORDERS_DATABASE_URL: 'mysql://app:pw@orders.cluster.rds.amazonaws.com:3306/orders',
      SHOPIFY_SHOP: 'acme.myshopify.com',
      SHOPIFY_ACCESS_TOKEN: 'shpat_real',
      SHOPIFY_WEBHOOK_SECRET: 'whsec',
    });
    expect(c.temporal.tls).toBe(true);
    expect(c.aws.credentials).toBeUndefined();
    expect(c.aws.s3Endpoint).toBeUndefined();
    const printed = JSON.stringify(redactConfig(c));
    for (const secret of ['secret-key', 'shpat_real', 'whsec', ':pw@']) expect(printed).not.toContain(secret);
  });

  it('rejects an unknown task queue', () => {
    expect(() => loadConfig({ WORKER_TASK_QUEUES: 'shopify,bogus' })).toThrowError(
      /WORKER_TASK_QUEUES: unknown queue\(s\) bogus/,
    );
  });
});
