import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../../workers/config';

describe('configuration', () => {
  const SANDBOX = { SHOPIFY_ADMIN_URL: 'http://127.0.0.1:8700/admin/api/2026-10/graphql.json' };

  it('applies local defaults when nothing but the sandbox is set', () => {
    const c = loadConfig(SANDBOX);
    expect(c.temporal.address).toBe('127.0.0.1:7233');
    expect(c.databases.pim).toBe('mysql://root@127.0.0.1:3307/pim');
    expect(c.shopify.apiVersion).toBe('2026-10');
    expect(c.taskQueues).toEqual(['shopify', 'data', 'amazon', 'lightspeed']);
    expect(c.lake).toEqual({
      parquetCompression: 'snappy',
      duckdbMemory: '128MB',
      encodings: { customers: 'utf-8', loyalty: 'utf-8' },
    });
    expect(c.shopify.accessToken).toBe('shpat_sandbox');
    expect(c.webhookReceiver).toEqual({ host: '127.0.0.1', maxBodyBytes: 1_000_000, publicUrl: undefined });
  });

  it('requires a webhook secret and credentials for a real shop in every environment, never the sandbox values', () => {
    for (const env of ['development', 'test', 'production'] as const) {
      expect(() => loadConfig({ BACKBONE_ENV: env, SHOPIFY_SHOP: 'acme.myshopify.com' })).toThrowError(
        /SHOPIFY_ACCESS_TOKEN or SHOPIFY_CLIENT_ID\/SHOPIFY_CLIENT_SECRET: required for a real shop[\s\S]*SHOPIFY_WEBHOOK_SECRET: required for a real shop/,
      );
    }
    expect(() =>
      loadConfig({ SHOPIFY_ACCESS_TOKEN: 'shpat_sandbox', SHOPIFY_WEBHOOK_SECRET: 'sandbox-webhook-secret' }),
    ).toThrowError(/the sandbox's public token[\s\S]*the sandbox's public secret/);
    const c = loadConfig({
      SHOPIFY_CLIENT_ID: 'cid',
      SHOPIFY_CLIENT_SECRET: 'csecret',
      SHOPIFY_WEBHOOK_SECRET: 'whsec',
    });
    expect(c.shopify).toMatchObject({
      accessToken: undefined,
      clientCredentials: { clientId: 'cid', clientSecret: 'csecret' },
    });
    expect(JSON.stringify(redactConfig(c))).not.toContain('csecret');
  });

  it('takes a static token or client credentials, both halves of the credentials, never both kinds', () => {
    expect(() => loadConfig({ ...SANDBOX, SHOPIFY_CLIENT_ID: 'cid' })).toThrowError(/set both or neither/);
    expect(() =>
      loadConfig({
        ...SANDBOX,
        SHOPIFY_ACCESS_TOKEN: 'shpat_x',
        SHOPIFY_CLIENT_ID: 'cid',
        SHOPIFY_CLIENT_SECRET: 'cs',
      }),
    ).toThrowError(/either a static token or SHOPIFY_CLIENT_ID/);
    expect(
      loadConfig({ ...SANDBOX, SHOPIFY_CLIENT_ID: 'cid', SHOPIFY_CLIENT_SECRET: 'cs' }).shopify.accessToken,
    ).toBeUndefined();
  });

  it('takes only an https public webhook URL, and binds the receiver where configured', () => {
    expect(() =>
      loadConfig({ ...SANDBOX, WEBHOOK_PUBLIC_URL: 'http://hooks.example.com/webhooks/shopify' }),
    ).toThrowError(/WEBHOOK_PUBLIC_URL: must be an https URL/);
    const c = loadConfig({ ...SANDBOX, WEBHOOK_HOST: '0.0.0.0', WEBHOOK_MAX_BODY_BYTES: '2000000' });
    expect(c.webhookReceiver).toMatchObject({ host: '0.0.0.0', maxBodyBytes: 2_000_000 });
  });

  it('takes a declared encoding per file source and refuses an unknown one', () => {
    const c = loadConfig({ ...SANDBOX, CUSTOMERS_ENCODING: 'latin1', LOYALTY_ENCODING: 'windows-1252' });
    expect(c.lake.encodings).toEqual({ customers: 'latin1', loyalty: 'windows-1252' });
    expect(() => loadConfig({ ...SANDBOX, CUSTOMERS_ENCODING: 'ebcdic' })).toThrow(/CUSTOMERS_ENCODING/);
  });

  it('lists every missing or invalid key in one message', () => {
    let error: unknown;
    try {
      loadConfig({
        ...SANDBOX,
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
    expect(() => loadConfig({ ...SANDBOX, WORKER_TASK_QUEUES: 'shopify,bogus' })).toThrowError(
      /WORKER_TASK_QUEUES: unknown queue\(s\) bogus/,
    );
  });
});
