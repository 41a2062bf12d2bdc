import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
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
// by MySQL when written) minus the moment the order was placed; both clocks are this machine's. Baskets are the
// sandbox's grocery baskets (15–80 lines, some over 100) unless BENCH_WEBHOOK_LINES=min-max says otherwise (stop 15
// measured 1–5 lines). A sample of the orders' workflow histories splits the latency into its stages.
const ORDERS = Number(process.env.BENCH_WEBHOOK_ORDERS ?? 500);
const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 25);
const LINES = process.env.BENCH_WEBHOOK_LINES?.split('-').map(Number);
const lines = LINES ? { min: LINES[0]!, max: LINES[1] ?? LINES[0]! } : undefined;
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const loadBefore = os.loadavg();

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
  ...Object.fromEntries(DATABASES.map((db) => [`${db.toUpperCase()}_DATABASE_URL`, urls[db]])),
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
    const o = sandbox.storefront.placeOrder({ refundRate: 0.1, highRiskRate: 0.05, ...(lines ? { lines } : {}) });
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
  const stages = await stagesOf(
    [...placedAt.keys()].filter((_, i) => i % Math.max(1, Math.floor(ORDERS / 50)) === 0),
    placedAt,
  );
  writeResult('webhook-latency', {
    commit,
    load: { before: loadBefore.map((l) => +l.toFixed(2)), after: os.loadavg().map((l) => +l.toFixed(2)) },
    orders: ORDERS,
    ratePerSecond: RATE,
    lines: lines ?? 'grocery basket (15–80, 8 % 100–150)',
    linesPerOrder: Math.round(
      sandbox.state.orders.size
        ? [...sandbox.state.orders.values()].reduce((n, o) => n + o.lineItems.length, 0) / sandbox.state.orders.size
        : 0,
    ),
    arrived: latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1),
    stages,
    target: { p95Ms: '< 2000' },
  });
} finally {
  server.closeAllConnections();
  server.close();
  await pool.end();
  await worker.kill();
  await sandbox.close();
  s3.destroy();
  dynamo.destroy();
  await connection.close();
  await stack.stop();
}

/**
 * Where the time goes, from a sample of the orders' workflow histories: placed → workflow started (sandbox delivery,
 * receiver: HMAC, S3 archive, DynamoDB dedupe, signalWithStart), first activity scheduled → started (worker queue),
 * started → completed (the upsert).
 */
async function stagesOf(ids: number[], placed: Map<number, number>) {
  const toWorkflow: number[] = [];
  const queued: number[] = [];
  const upsert: number[] = [];
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
  for (const id of ids) {
    // An order whose delivery has not been handed over yet (a 503 retried later) has no workflow to read.
    const history = await client.workflow
      .getHandle(`order/${sandbox.shop}/${id}`)
      .fetchHistory()
      .catch(() => undefined);
    if (!history) continue;
    const events = history.events ?? [];
    const start = events.find((e) => e.workflowExecutionStartedEventAttributes);
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
    const began = events.find((e) => e.activityTaskStartedEventAttributes);
    const done = events.find((e) => e.activityTaskCompletedEventAttributes);
    if (!start || !scheduled || !began || !done) continue;
    toWorkflow.push(ms(start.eventTime) - placed.get(id)!);
    queued.push(ms(began.eventTime) - ms(scheduled.eventTime));
    upsert.push(ms(done.eventTime) - ms(began.eventTime));
  }
  const p = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
  };
  return {
    sampled: toWorkflow.length,
    placedToWorkflowStart: p(toWorkflow),
    activityScheduledToStarted: p(queued),
    upsertActivity: p(upsert),
  };
}
