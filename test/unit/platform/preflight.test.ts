import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../workers/config';
import { preflight } from '../../../workers/preflight';
import { freePort } from '../../../stack/ports';

describe('preflight', () => {
  it('fails fast naming every unreachable service, without leaking passwords', async () => {
    const dead = await freePort(); // nothing listens here
    const config = loadConfig({
      TEMPORAL_ADDRESS: `127.0.0.1:${dead}`,
      PIM_DATABASE_URL: `mysql://app:s3cret@127.0.0.1:${dead}/pim`,
      STORE_DATABASE_URL: `mysql://app:s3cret@127.0.0.1:${dead}/store`,
      ORDERS_DATABASE_URL: `mysql://app:s3cret@127.0.0.1:${dead}/orders`,
      INVENTORY_DATABASE_URL: `mysql://app:s3cret@127.0.0.1:${dead}/inventory`,
      CHANNELS_DATABASE_URL: `mysql://app:s3cret@127.0.0.1:${dead}/channels`,
      EXTRACTION_DATABASE_URL: `mysql://app:s3cret@127.0.0.1:${dead}/extraction`,
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${dead}`,
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dead}`,
      // a sandbox address: a real shop would need credentials and a webhook secret, which is not what this test is about
      SHOPIFY_ADMIN_URL: `http://127.0.0.1:${dead}/admin/api/2026-10/graphql.json`,
    });
    const started = Date.now();
    const error = await preflight(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const keys = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(keys.sort()).toEqual(
      [
        'AWS_ENDPOINT_URL_DYNAMODB',
        'AWS_ENDPOINT_URL_S3',
        'ORDERS_DATABASE_URL',
        'INVENTORY_DATABASE_URL',
        'CHANNELS_DATABASE_URL',
        'EXTRACTION_DATABASE_URL',
        'PIM_DATABASE_URL',
        'STORE_DATABASE_URL',
        'TEMPORAL_ADDRESS',
      ].sort(),
    );
    expect((error as Error).message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);
});
