import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { orderRows } from '../../domain/extraction/shopify-rows';
import { SHOPIFY_LINE_ITEMS, SHOPIFY_ORDERS } from '../../domain/extraction/shopify-tables';
import { openLakeQuery } from '../../lake/lake-query';
import { openLakeTableWriter, type Lake } from '../../lake/lake-writer';
import { createS3Client, ensureBuckets } from '../../lake/s3';
import { benchStack, writeResult } from '../support/env';

// Issue 14 benchmarks, against a throwaway local stack (SeaweedFS):
// 1. Shopify orders history (ORDERS orders, grocery baskets of 15–80 lines, some > 100) as the extraction writes it:
//    Shopify order nodes, a page of PAGE orders at a time (Shopify's largest page) → orderRows → one lake table writer
//    per table (openLakeTableWriter: each page validated and staged on local disk), committed every COMMIT_ROWS line
//    items (merged, deduplicated, Parquet per created day, uploaded to S3, manifest). Against DuckDB writing the same
//    rows from a local NDJSON file to day-partitioned Parquet on local disk, in the same run. Rows/s, ratio and the
//    process's peak RSS (target < 512 MB).
// 2. A query over a year of lake partitions (sales per store per day for one month): pruned by dt, versus the same
//    month selected by a non-partition column (every partition read).
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 250);
const COMMIT_ROWS = Number(process.env.BENCH_COMMIT_ROWS ?? 1_000_000);
const DAYS = 365;
const STORES = ['C', 'EM', 'SUN', 'OI'];
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const load = () => os.loadavg().map((l) => Number(l.toFixed(1)));

let seed = 2026;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
/** Lines of a grocery basket: mostly 15–80, one in twenty over 100. */
const basket = () => (rand() < 0.05 ? 100 + Math.floor(rand() * 40) : 15 + Math.floor(rand() * 66));
const money = (n: number) => ({ shopMoney: { amount: n.toFixed(2), currencyCode: 'BBD' } });

function* orderNodes(): Generator<Record<string, unknown>> {
  const start = Date.parse('2025-12-01T00:00:00Z');
  let lineId = 1;
  for (let i = 0; i < ORDERS; i++) {
    const created = new Date(start + Math.floor((i / ORDERS) * DAYS * 86_400_000)).toISOString();
    const lines = Array.from({ length: basket() }, () => ({
      id: `gid://shopify/LineItem/${lineId++}`,
      sku: `SKU-${Math.floor(rand() * 4000)}`,
      title: 'Grocery item',
      quantity: 1 + Math.floor(rand() * 3),
      originalUnitPriceSet: money(0.5 + rand() * 20),
      totalDiscountSet: money(0),
    }));
    yield {
      id: `gid://shopify/Order/${i + 1}`,
      name: `#${1000 + i}`,
      createdAt: created,
      updatedAt: created,
      processedAt: created,
      cancelledAt: null,
      currencyCode: 'BBD',
      displayFinancialStatus: 'PAID',
      displayFulfillmentStatus: 'FULFILLED',
      subtotalPriceSet: money(50),
      totalTaxSet: money(8.75),
      totalShippingPriceSet: money(0),
      totalDiscountsSet: money(0),
      totalPriceSet: money(58.75),
      totalRefundedSet: money(0),
      customer: { id: `gid://shopify/Customer/${1 + (i % 20_000)}` },
      taxLines: [],
      refunds: [],
      lineItems: { nodes: lines, pageInfo: { hasNextPage: false, endCursor: null } },
    };
  }
}

/** An NDJSON file written with backpressure (the baseline's input; its writing is not timed). */
function ndjson(file: string) {
  const out = fs.createWriteStream(file);
  return {
    async write(rows: Record<string, unknown>[], dtOf: (r: Record<string, unknown>) => string) {
      const block = rows.map((r) => `${JSON.stringify({ ...r, dt: dtOf(r) })}\n`).join('');
      if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    },
    end: () => new Promise<void>((resolve) => out.end(() => resolve())),
  };
}

const { stack, config } = await benchStack();
const s3 = createS3Client(config.aws);
const bucket = `bench-lake-${Date.now()}`;
await ensureBuckets(s3, [bucket]);
const lake: Lake = { s3, bucket, quarantineBucket: config.aws.buckets.quarantine };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-extraction-'));
try {
  // 1a. Ours: pages through one writer per table. The same rows also go to NDJSON for the baseline (not timed).
  const ordersJson = ndjson(path.join(dir, 'orders.ndjson'));
  const linesJson = ndjson(path.join(dir, 'lines.ndjson'));
  const loadBefore = load();
  const writers = [SHOPIFY_ORDERS, SHOPIFY_LINE_ITEMS].map((t) => openLakeTableWriter(lake, { ...t, now: new Date() }));
  let rows = 0;
  let commits = 0;
  let writeMs = 0;
  const timed = async <T>(f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      writeMs += performance.now() - t0;
    }
  };
  const commitAll = async () => {
    for (const w of writers) if (w.stagedRows) rows += (await timed(() => w.commit())).written;
    commits++;
  };
  let page: Record<string, unknown>[] = [];
  const flush = async () => {
    const tables = orderRows(page);
    page = [];
    await ordersJson.write(tables[0]!.rows, (r) => String(r.created_at).slice(0, 10));
    await linesJson.write(tables[1]!.rows, (r) => String(r.order_created_at).slice(0, 10));
    for (const [i, w] of writers.entries()) await timed(() => w.add(tables[i]!.rows));
    if (writers[1]!.stagedRows >= COMMIT_ROWS) await commitAll();
  };
  try {
    for (const node of orderNodes()) {
      page.push(node);
      if (page.length >= PAGE) await flush();
    }
    if (page.length) await flush();
    await commitAll();
  } finally {
    for (const w of writers) w.close();
  }
  await ordersJson.end();
  await linesJson.end();
  const oursRss = Math.round(process.resourceUsage().maxRSS / 1024);
  const loadOurs = load();

  // 1b. DuckDB from the local JSON files: typed the same way, day-partitioned Parquet on local disk.
  const db = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '256MB' });
  const c = await db.connect();
  const started = performance.now();
  for (const [file, spec] of [
    ['orders', SHOPIFY_ORDERS],
    ['lines', SHOPIFY_LINE_ITEMS],
  ] as const) {
    const cols = spec.columns.map((col) => `CAST(${col.name} AS ${col.type}) AS ${col.name}`).join(', ');
    await c.run(`COPY (SELECT ${cols}, dt FROM read_json('${path.join(dir, `${file}.ndjson`)}', format = 'newline_delimited'))
      TO '${path.join(dir, `duck-${file}`)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt))`);
  }
  const duckMs = performance.now() - started;
  c.closeSync();
  db.closeSync();
  const oursRate = Math.round(rows / (writeMs / 1000));
  const duckRate = Math.round(rows / (duckMs / 1000));
  writeResult('extraction-shopify-parquet', {
    commit,
    loadAverage: { before: loadBefore, afterOurs: loadOurs, afterBaseline: load() },
    orders: ORDERS,
    rows,
    pageOrders: PAGE,
    commitEveryLineItems: COMMIT_ROWS,
    commits,
    ours: { seconds: Number((writeMs / 1000).toFixed(1)), rowsPerSecond: oursRate, peakRssMiB: oursRss },
    duckdbFromLocalJson: { seconds: Number((duckMs / 1000).toFixed(1)), rowsPerSecond: duckRate },
    ratio: Number((oursRate / duckRate).toFixed(3)),
    target: { peakRssMiB: '< 512' },
    note:
      'ours = openLakeTableWriter add per page of orderRows output (validate, stage NDJSON on local disk) + commit ' +
      '(DuckDB merge with the partitions on S3, dedup, zstd Parquet, PUT, manifest); baseline = DuckDB COPY of the ' +
      'same rows from local NDJSON to local Parquet. peakRssMiB is the process peak up to the end of our phase ' +
      '(order generation and the baseline NDJSON writing included).',
  });

  // 2. A year of partitions: sales per store per day, one month, pruned vs every partition read.
  const q = await openLakeQuery({ aws: config.aws, s3, bucket, cacheDir: dir });
  const time = async (sql: string) => {
    const runs: number[] = [];
    let result: Record<string, unknown>[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      result = await q.query(sql);
      runs.push(performance.now() - t0);
    }
    return { ms: Math.round(runs.sort((a, b) => a - b)[1]!), rows: result.length };
  };
  // Store from the order id (the bench orders carry no store column): 4 stores.
  const perStore = `['${STORES.join("','")}'][(order_id % ${STORES.length}) + 1]`;
  const pruned = await time(`SELECT ${perStore} AS store, dt, sum(total) AS sales FROM shopify.orders
    WHERE dt BETWEEN DATE '2026-06-01' AND DATE '2026-06-30' GROUP BY ALL`);
  const full = await time(`SELECT ${perStore} AS store, dt, sum(total) AS sales FROM shopify.orders
    WHERE created_at >= TIMESTAMP '2026-06-01' AND created_at < TIMESTAMP '2026-07-01' GROUP BY ALL`);
  q.close();
  writeResult('extraction-lake-pruning', {
    commit,
    loadAverage: load(),
    partitions: DAYS,
    table: 'shopify.orders',
    rows: ORDERS,
    query: 'sales per store per day, June 2026',
    httpfs: q.duck.httpfs,
    prunedMs: pruned.ms,
    fullMs: full.ms,
    resultRows: { pruned: pruned.rows, full: full.rows },
    speedup: Number((full.ms / pruned.ms).toFixed(1)),
    note: 'median of 3; pruned = filter on dt (hive partition: 30 files opened); full = filter on created_at (every file)',
  });
} finally {
  s3.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  await stack.stop();
}
