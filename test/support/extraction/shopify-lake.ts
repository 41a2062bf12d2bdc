import os from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import { openLakeQuery } from '../../../lake/lake-query';
import type { AwsConnection } from '../../../lake/s3';
import { ShopifyClient } from '../../../connectors/shopify';
import { createPool } from '../../../db/client';
import { mysqlLakeLock } from '../../../lake/lake-lock';
import type { Lake } from '../../../lake/lake-writer';
import { createS3Client } from '../../../lake/s3';
import { startShopifySandbox, type SandboxOptions, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { freshDatabases, type FreshDatabases } from '../db';
import { temporalHarness, type TemporalHarness } from '../temporal';

/** One statement over the lake in `bucket`, in a DuckDB session of its own (closed after). */
export async function queryLake<T = Record<string, unknown>>(
  aws: AwsConnection,
  s3: S3Client,
  bucket: string,
  sql: string,
): Promise<T[]> {
  const q = await openLakeQuery({ aws, s3, bucket, cacheDir: os.tmpdir() });
  try {
    return (await q.query(sql)) as T[];
  } finally {
    q.close();
  }
}

/** The Shopify lake tables a complete extraction of the sandbox shop fills, by what the tests call them. */
const TABLES = {
  orders: 'shopify.orders',
  lines: 'shopify.line_items',
  refunds: 'shopify.refunds',
  refundLines: 'shopify.refund_lines',
  taxLines: 'shopify.tax_lines',
  customers: 'shopify.customers',
  products: 'shopify.products',
  variants: 'shopify.variants',
} as const;
export type ShopCounts = Record<keyof typeof TABLES, number>;
export const ORDER_COUNTS = ['orders', 'lines', 'refunds', 'refundLines', 'taxLines'] as const;

/** What the sandbox shop holds for each of `keys`: a complete extraction has exactly as many rows. */
export function shopCounts<K extends keyof ShopCounts>(sb: ShopifySandbox, keys: readonly K[]): Pick<ShopCounts, K> {
  const orders = [...sb.state.orders.values()];
  const products = [...sb.state.products.values()];
  const all: ShopCounts = {
    orders: orders.length,
    lines: orders.reduce((n, o) => n + o.lineItems.length, 0),
    refunds: orders.reduce((n, o) => n + o.refunds.length, 0),
    refundLines: orders.reduce((n, o) => n + o.refunds.reduce((m, r) => m + r.lineItems.length, 0), 0),
    taxLines: orders.reduce((n, o) => n + (o.taxLines?.length ?? 0), 0),
    customers: sb.state.customers.size,
    products: products.length,
    variants: products.reduce((n, p) => n + p.variants.length, 0),
  };
  return Object.fromEntries(keys.map((k) => [k, all[k]])) as Pick<ShopCounts, K>;
}

/** The lake's rows in each of `keys`' tables, and `dupes`: order, line item and refund line keys held twice. */
export async function lakeCounts<K extends keyof ShopCounts>(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  keys: readonly K[],
): Promise<Pick<ShopCounts, K> & { dupes: number }> {
  const counts = keys.map((k) => `(SELECT count(*) FROM ${TABLES[k]})::INT AS "${k}"`);
  const dupes = `((SELECT count(*) FROM shopify.line_items) - (SELECT count(DISTINCT line_item_id) FROM shopify.line_items)
    + (SELECT count(*) FROM shopify.orders) - (SELECT count(DISTINCT order_id) FROM shopify.orders)
    + (SELECT count(*) FROM shopify.refund_lines)
    - (SELECT count(*) FROM (SELECT DISTINCT refund_id, line_item_id FROM shopify.refund_lines)))::INT AS dupes`;
  return (await query(`SELECT ${[...counts, dupes].join(', ')}`))[0] as Pick<ShopCounts, K> & { dupes: number };
}

/** A child worker's environment for extracting the sandbox shop into `bucket` (kill -9 tests). */
export const childWorkerEnv = (dbs: FreshDatabases, sb: ShopifySandbox, bucket: string, tablePrefix: string) => ({
  EXTRACTION_DATABASE_URL: dbs.extraction,
  ORDERS_DATABASE_URL: dbs.orders,
  PIM_DATABASE_URL: dbs.pim,
  STORE_DATABASE_URL: dbs.store,
  SHOPIFY_SHOP: sb.shop,
  SHOPIFY_ACCESS_TOKEN: sb.accessToken,
  SHOPIFY_WEBHOOK_SECRET: sb.webhookSecret,
  SHOPIFY_ADMIN_URL: sb.adminGraphqlUrl,
  DYNAMODB_TABLE_PREFIX: tablePrefix,
  LAKE_BUCKET: bucket,
});

/** What a Shopify → lake test file runs against: its Temporal queues, a sandbox shop, fresh databases. */
export interface ShopifyLakeStack {
  t: TemporalHarness;
  sb: ShopifySandbox;
  dbs: FreshDatabases;
  /** The extraction database (the lake's lock). */
  pool: ReturnType<typeof createPool>;
  shopify: ShopifyClient;
  /** The lake in `bucket`, locked through the extraction database as the workers lock it. */
  lakeOf(bucket: string): Lake;
  close(): Promise<void>;
}

export async function shopifyLakeStack(
  name: string,
  quarantineBucket: string,
  sandbox: SandboxOptions & { shop: string },
): Promise<ShopifyLakeStack> {
  const t = await temporalHarness(name);
  const sb = await startShopifySandbox(sandbox);
  const dbs = await freshDatabases();
  const pool = createPool(dbs.extraction);
  const s3 = createS3Client(loadConfig().aws);
  return {
    t,
    sb,
    dbs,
    pool,
    shopify: new ShopifyClient({ shop: sb.shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl }),
    lakeOf: (bucket) => ({ s3, bucket, quarantineBucket, lock: mysqlLakeLock(pool) }),
    async close() {
      await sb.close();
      await pool.end();
      await dbs.drop();
      await t.close();
      s3.destroy();
    },
  };
}
