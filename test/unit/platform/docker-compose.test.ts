import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS } from '../../../stack/ports';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../../domain/platform/search-attributes';
import { loadConfig } from '../../../workers/config';
import { DEMO_VENDOR_WAREHOUSES } from '../../../db/seed/catalog';
import { parseVendorWarehouses } from '../../../workers/amazon-config';
import { startAmazonSandbox } from '../../../sandbox/amazon';

const compose = parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, { ports?: string[]; command?: string; environment?: Record<string, string> }>;
};
const published = (service: string) => (compose.services[service]?.ports ?? []).map((p) => Number(p.split(':')[0]));

describe('docker-compose.yml', () => {
  it('defines every service the configuration expects', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['temporal', 'mysql', 's3', 'dynamodb', 'shopify-sandbox', 'amazon-sandbox', 'workers']),
    );
  });

  it('publishes the same ports as the native stack', () => {
    expect(published('temporal')).toEqual(expect.arrayContaining([DEFAULT_PORTS.temporal, DEFAULT_PORTS.temporalUi]));
    expect(published('mysql')).toContain(DEFAULT_PORTS.mysql);
    expect(published('s3')).toContain(DEFAULT_PORTS.s3);
    expect(published('dynamodb')).toContain(DEFAULT_PORTS.dynamodb);
    expect(published('shopify-sandbox')).toContain(DEFAULT_PORTS.shopifySandbox);
    expect(published('amazon-sandbox')).toContain(DEFAULT_PORTS.amazonSandbox);
    expect(published('workers')).toEqual(expect.arrayContaining([DEFAULT_PORTS.webhook, DEFAULT_PORTS.ops]));
  });

  it('registers every custom search attribute', () => {
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES))
      expect(compose.services.temporal!.command).toContain(`--search-attribute ${name}=${type}`);
  });

  it("gives the workers an environment the configuration accepts, pointing at compose's services", () => {
    const env = compose.services.workers!.environment!;
    const config = loadConfig(env);
    for (const url of Object.values(config.databases)) expect(new URL(url).hostname).toBe('mysql');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(new URL(config.aws.s3Endpoint!).hostname).toBe('s3');
    expect(new URL(config.aws.dynamodbEndpoint!).hostname).toBe('dynamodb');
    expect(new URL(config.shopify.adminUrl!).hostname).toBe('shopify-sandbox');
    for (const key of ['AMAZON_SPAPI_URL', 'AMAZON_LWA_URL', 'AMAZON_SANDBOX_URL'])
      expect(new URL(env[key]!).hostname, key).toBe('amazon-sandbox');
  });

  it("gives the workers the Amazon sandbox's demo account (the ids and credentials main.ts serves)", async () => {
    const env = compose.services.workers!.environment!;
    const sb = await startAmazonSandbox();
    const served = sb.env();
    await sb.close();
    for (const [key, value] of Object.entries(served)) {
      if (key.endsWith('_URL')) continue;
      // The sandbox names its warehouses; which demo stores ship from each is the deployment's mapping.
      if (key === 'AMAZON_VENDOR_WAREHOUSES') expect(env[key], key).toBe(DEMO_VENDOR_WAREHOUSES);
      else expect(env[key], key).toBe(value);
    }
    expect(parseVendorWarehouses(DEMO_VENDOR_WAREHOUSES, []).map((w) => w.id)).toEqual(
      served.AMAZON_VENDOR_WAREHOUSES?.split(','),
    );
  });
});
