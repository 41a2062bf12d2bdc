import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { startShopifySandbox } from '../../sandbox/shopify';
import { ShopifyClient, syncWebhookSubscriptions } from '../../connectors/shopify';
import { createPool } from '../../db/client';
import { DATABASES, migrateAll, type DatabaseUrls } from '../../db/migrate';
import { createDynamoClient, ensureTables } from '../../lake/dynamo-tables';
import { createS3Client } from '../../lake/s3';
import { createWebhookServer } from '../../workers/webhooks-http';
import { startChildWorker } from '../../test/support/child-worker';
import { benchStack, percentile, writeResult } from '../support/env';

// Issue 5: webhook → order row latency. The storefront simulator places ORDERS orders at RATE per second; each
// ORDERS_CREATE webhook goes through the receiver (HMAC, S3 archive, DynamoDB dedupe, signalWithStart) to the
// order's workflow, which reads the order from the sandbox and upserts it. Latency = the row's ingested_at (set
// by MySQL when written) minus the moment the order was placed; both clocks are this machine's.
const ORDERS = Number(process.env.BENCH_WEBHOOK_ORDERS ?? 500);
const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 25);

const { stack, config } = await benchStack();
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const admin = new URL(config.databases.orders);
const tag = `wh${randomUUID().slice(0, 6)}`;
const dbUrl = (name: string) => `${admin.protocol}//${admin.username}@${admin.host}/${name}_${tag}`;
const urls = Object.fromEntries(DATABASES.map((db) => [db, dbUrl(db)])) as DatabaseUrls;
await migrateAll(urls, { createDatabases: true });
const s3 = createS3Client(config.aws);
const dynamo = createDynamoClient(config.aws);
const tablePrefix = `bench-${tag}-`;
await ensureTables(dynamo, tablePrefix);
const sandbox = await startShopifySandbox({
  plan: 'plus',
  shop: `${tag}.myshopify.com`,
  allowHttpLoopbackWebhooks: true,
});
const worker = await startChildWorker(tag, {
  ORDERS_DATABASE_URL: urls.orders,
  PIM_DATABASE_URL: urls.pim,
  STORE_DATABASE_URL: urls.store,
  SHOPIFY_SHOP: sandbox.shop,
  SHOPIFY_ACCESS_TOKEN: sandbox.accessToken,
  SHOPIFY_WEBHOOK_SECRET: sandbox.webhookSecret,
  SHOPIFY_ADMIN_URL: sandbox.adminGraphqlUrl,
  DYNAMODB_TABLE_PREFIX: tablePrefix,
});
const server = createWebhookServer({
  secret: sandbox.webhookSecret,
  shop: sandbox.shop,
  s3,
  archiveBucket: config.aws.buckets.archive,
  dynamo,
  tablePrefix,
  temporal: client,
  taskQueue: `${tag}.shopify`,
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`;
const shopify = new ShopifyClient({
  shop: sandbox.shop,
  accessToken: sandbox.accessToken,
  adminUrl: sandbox.adminGraphqlUrl,
});
await syncWebhookSubscriptions(shopify, hookUrl, ['ORDERS_CREATE']);
const pool = createPool(urls.orders);

try {
  const placedAt = new Map<number, number>();
  const started = Date.now();
  for (let i = 0; i < ORDERS; i++) {
    const wait = started + (i * 1000) / RATE - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const o = sandbox.storefront.placeOrder({ refundRate: 0.1, highRiskRate: 0.05 });
    placedAt.set(Number(o.id.split('/').pop()), Date.now());
  }
  const deadline = Date.now() + 120_000;
  let rows: { id: number; at: Date }[] = [];
  while (Date.now() < deadline) {
    [rows] = (await pool.query('SELECT id, ingested_at AS at FROM orders')) as unknown as [typeof rows];
    if (rows.length >= ORDERS) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const latencies = rows
    .filter((r) => placedAt.has(r.id))
    .map((r) => r.at.getTime() - placedAt.get(r.id)!)
    .sort((a, b) => a - b);
  writeResult('webhook-latency', {
    orders: ORDERS,
    ratePerSecond: RATE,
    arrived: latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1),
    target: { p95Ms: '< 2000' },
  });
} finally {
  server.close();
  await pool.end();
  await worker.kill();
  await sandbox.close();
  s3.destroy();
  dynamo.destroy();
  await connection.close();
  await stack.stop();
}
