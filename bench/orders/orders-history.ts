import { randomUUID } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import type mysql from 'mysql2/promise';
import { startShopifySandbox } from '../../sandbox/shopify';
import { createPool } from '../../db/client';
import { DATABASES, migrateAll, type DatabaseUrls } from '../../db/migrate';
import { streamBulkResults } from '../../connectors/shopify';
import { toOrderRows, type OrderRows } from '../../domain/orders/orders';
import { BulkOrderAssembler } from '../../domain/orders/orders-bulk';
import { ensureTables } from '../../lake/dynamo-tables';
import { createS3Client } from '../../lake/s3';
import { createDynamoClient } from '../../lake/dynamo-tables';
import { ordersBackfill, ordersToLake } from '../../workflows';
import { startChildWorker } from '../../test/support/child-worker';
import { benchStack, peakRssMiB, writeResult } from '../support/env';

// Issue 5's ingest benchmarks:
//  1. historical backfill of ORDERS orders (avg 3 line items) from the sandbox's bulk query into the orders DB,
//     against a raw mysql2 multi-row INSERT of the same rows into an empty twin database in the same run;
//  2. the same orders to the lake (gzipped NDJSON) and DynamoDB, day by day: rows/s per sink, worker peak RSS.
// Workers run in child processes (the production registry) so their RSS is their own.
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const BATCH = 500;
// Workers run with a sized heap, as in production (see bench/catalog/catalog-publish.ts); without it V8 defers
// collection and RSS reflects the machine's memory rather than what the pipeline holds.
const WORKER_HEAP_MIB = Number(process.env.BENCH_WORKER_HEAP_MIB ?? 256);

const { stack, config } = await benchStack();
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const admin = new URL(config.databases.orders);
const tag = `oh${randomUUID().slice(0, 6)}`;
const dbUrl = (name: string) => `${admin.protocol}//${admin.username}@${admin.host}/${name}_${tag}`;
const urls = Object.fromEntries(DATABASES.map((db) => [db, dbUrl(db)])) as DatabaseUrls;
const rawUrl = dbUrl('orders_raw');
await migrateAll(urls, { createDatabases: true });
await migrateAll({ ...urls, orders: rawUrl }, { createDatabases: true });
const s3 = createS3Client(config.aws);
const dynamo = createDynamoClient(config.aws);
const bucket = `bench-${tag}`;
const tablePrefix = `bench-${tag}-`;
await s3.send(new CreateBucketCommand({ Bucket: bucket }));
await ensureTables(dynamo, tablePrefix);

const sandbox = await startShopifySandbox({ plan: 'plus', shop: `${tag}.myshopify.com`, bulkRowsPerSecond: 1_000_000 });
const t0 = performance.now();
sandbox.storefront.placeOrders({
  count: ORDERS,
  spreadDays: DAYS,
  refundRate: 0.1,
  highRiskRate: 0.05,
  malformedRate: 0.02,
  // Small baskets keep the measured volume comparable across runs (about 3 lines an order); the grocery
  // baskets the demo places would make this 100,000 orders about 5 million lines.
  lines: { min: 1, max: 5 },
});
const lines = [...sandbox.state.orders.values()].reduce((n, o) => n + o.lineItems.length, 0);
console.log(`placed ${ORDERS} orders (${lines} line items) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const env = {
  ORDERS_DATABASE_URL: urls.orders,
  PIM_DATABASE_URL: urls.pim,
  STORE_DATABASE_URL: urls.store,
  SHOPIFY_SHOP: sandbox.shop,
  SHOPIFY_ACCESS_TOKEN: sandbox.accessToken,
  SHOPIFY_WEBHOOK_SECRET: sandbox.webhookSecret,
  SHOPIFY_ADMIN_URL: sandbox.adminGraphqlUrl,
  DYNAMODB_TABLE_PREFIX: tablePrefix,
  LAKE_BUCKET: bucket,
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${WORKER_HEAP_MIB}`,
};
const results: Record<string, unknown> = {
  orders: ORDERS,
  lineItems: lines,
  days: DAYS,
  workerHeapLimitMiB: WORKER_HEAP_MIB,
};

try {
  // 1a. The pipeline: bulk query → JSONL stream → batched guarded upserts.
  let worker = await startChildWorker(tag, env);
  const from = new Date(Date.now() - (DAYS + 1) * 86_400_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const started = performance.now();
  const r = await client.workflow.execute(ordersBackfill, {
    taskQueue: `${tag}.shopify`,
    workflowId: `bench/${tag}/backfill`,
    args: [{ from, to }],
  });
  const ended = Date.now();
  const totalSeconds = (performance.now() - started) / 1000;
  const op = sandbox.state.bulkOperations.get(r.operationId)!;
  // Shopify's own time to build the result is not ours to speed up: the ingest phase starts when it completes.
  const ingestSeconds = (ended - Date.parse(op.completedAt!)) / 1000;
  const backfillRss = peakRssMiB(worker.child.pid!);
  await worker.kill();

  // 1b. The ceiling: the same rows (parsed beforehand, not timed) as plain multi-row INSERTs into an empty twin.
  const rows: OrderRows[] = [];
  const assembler = new BulkOrderAssembler();
  for await (const line of streamBulkResults(op.url!)) {
    const o = assembler.push(line);
    if (o) rows.push(toOrderRows(o, sandbox.shop));
  }
  rows.push(toOrderRows(assembler.finish()!, sandbox.shop));
  const raw = createPool(rawUrl);
  const rawStarted = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await rawInsert(raw, rows.slice(i, i + BATCH));
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  await raw.end();
  results.history = {
    ingested: r.orders,
    inserted: r.inserted,
    lineItems: r.lineItems,
    endToEndSeconds: round(totalSeconds),
    ingestPhaseSeconds: round(ingestSeconds),
    ordersPerSecond: Math.round(ORDERS / ingestSeconds),
    endToEndOrdersPerSecond: Math.round(ORDERS / totalSeconds),
    rawInsertSeconds: round(rawSeconds),
    rawOrdersPerSecond: Math.round(rows.length / rawSeconds),
    shareOfRaw: Number((rawSeconds / ingestSeconds).toFixed(3)),
    workerPeakRssMiB: backfillRss,
    target: { shareOfRaw: '>= 0.50' },
    note: 'ingest phase = from the bulk operation completing to the workflow finishing (download, parse, join, upsert)',
  };
  console.log(results.history);

  // 2. Orders to lake + DynamoDB, one workflow per day, a fresh worker so its peak RSS is this phase's.
  worker = await startChildWorker(tag, env);
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = peakRssMiB(worker.child.pid!);
  const days = [...new Set([...sandbox.state.orders.values()].map((o) => o.createdAt.slice(0, 10)))].sort();
  let exported = 0;
  let s3Ms = 0;
  let dynamoMs = 0;
  const lakeStarted = performance.now();
  for (const day of days) {
    const d = await client.workflow.execute(ordersToLake, {
      taskQueue: `${tag}.data`,
      workflowId: `bench/${tag}/lake/${day}`,
      args: [{ day }],
    });
    exported += d.orders;
    s3Ms += d.timings.s3Ms;
    dynamoMs += d.timings.dynamoMs;
  }
  const lakeSeconds = (performance.now() - lakeStarted) / 1000;
  results.lake = {
    days: days.length,
    exported,
    seconds: round(lakeSeconds),
    rowsPerSecond: Math.round(exported / lakeSeconds),
    s3RowsPerSecond: s3Ms ? Math.round(exported / (s3Ms / 1000)) : null,
    dynamoRowsPerSecond: dynamoMs ? Math.round(exported / (dynamoMs / 1000)) : null,
    workerPeakRssMiB: peakRssMiB(worker.child.pid!),
    workerIdleRssMiB: idleRss,
    target: { workerPeakRssMiB: '< 512' },
    note: 'per-sink rates = rows / time spent in that sink (DB reads and gzip are in neither)',
  };
  console.log(results.lake);
  await worker.kill();
  writeResult('orders-history', results);
} finally {
  await sandbox.close();
  s3.destroy();
  dynamo.destroy();
  await connection.close();
  await stack.stop();
}

function round(n: number) {
  return Number(n.toFixed(2));
}

async function rawInsert(pool: mysql.Pool, batch: OrderRows[]): Promise<void> {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    const insert = async (table: string, rows: Record<string, unknown>[]) => {
      if (!rows.length) return;
      const cols = Object.keys(rows[0]!);
      const values = rows.map((r) =>
        cols.map((c) => {
          const v = r[c];
          return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v;
        }),
      );
      const names = cols.map((c) => c.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)).join(', ');
      await conn.query(`INSERT INTO ${table} (${names}) VALUES ?`, [values]);
    };
    const customers = new Map(batch.flatMap((r) => (r.customer ? [[r.customer.id, r.customer] as const] : [])));
    await insert('customers', [...customers.values()]);
    await insert(
      'orders',
      batch.map((r) => r.order),
    );
    await insert(
      'line_items',
      batch.flatMap((r) => r.lineItems),
    );
    await insert(
      'tax_lines',
      batch.flatMap((r) => r.taxLines),
    );
    await insert(
      'risk_assessments',
      batch.flatMap((r) => r.risks),
    );
    await insert(
      'refunds',
      batch.flatMap((r) => r.refunds),
    );
    await conn.commit();
  } finally {
    conn.release();
  }
}
