import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { orderRows } from '../../domain/extraction/shopify-rows';
import { SHOPIFY_LINE_ITEMS, SHOPIFY_ORDERS } from '../../domain/extraction/shopify-tables';
import { openLakeQuery } from '../../lake/lake-query';
import { createS3Client, ensureBuckets } from '../../lake/s3';
import { WORKER_NODE_FLAGS } from '../../workers/worker-tuning';
import { benchStack, writeResult } from '../support/env';
import { HISTORY_DAYS, orderPages } from './shopify-orders-fixture';

// Issue 14 benchmarks, against a throwaway local stack (SeaweedFS):
// 1. Shopify orders history (ORDERS orders, grocery baskets of 15–80 lines, some > 100) as the extraction writes it,
//    in a process of its own (shopify-lake-extract.ts, whose peak RSS is the extraction's alone; target < 512 MB):
//    Shopify order nodes, a page of PAGE orders at a time (Shopify's largest page) → orderRows → one lake table writer
//    per table (openLakeTableWriter: each page validated and staged on local disk), committed every COMMIT_ROWS line
//    items (merged, deduplicated, Parquet per created day, uploaded to S3, manifest). Against DuckDB writing the same
//    rows from a local NDJSON file to day-partitioned Parquet on local disk, in the same run (the NDJSON is written
//    here, afterwards, from the same deterministic orders). Rows/s and their ratio; the same process generating and
//    mapping the orders without writing them (BENCH_DRY) gives the RSS floor.
// 2. A query over a year of lake partitions (sales per store per day for one month): pruned by dt, versus the same
//    month selected by a non-partition column (every partition read).
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 250);
const COMMIT_ROWS = Number(process.env.BENCH_COMMIT_ROWS ?? 1_000_000);
const DAYS = HISTORY_DAYS;
// The extraction process runs with the flags a production worker starts with (workers/worker-tuning.ts), so its
// peak is what a worker's would be. BENCH_HEAP_MIB overrides the old-space limit only.
const NODE_FLAGS = process.env.BENCH_HEAP_MIB
  ? [
      ...WORKER_NODE_FLAGS.filter((f) => !f.startsWith('--max-old-space-size=')),
      `--max-old-space-size=${process.env.BENCH_HEAP_MIB}`,
    ]
  : WORKER_NODE_FLAGS;
const STORES = ['C', 'EM', 'SUN', 'OI'];
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const load = () => os.loadavg().map((l) => Number(l.toFixed(1)));

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
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-extraction-'));
const root = path.resolve(import.meta.dirname, '../..');

/** Runs the extraction (or with `dry`, its generation alone) in its own process; its one JSON line. */
async function extractProcess(dry: boolean): Promise<{
  rows: number;
  commits: number;
  seconds: number;
  writeSeconds: number;
  peakRssMiB: number;
  peakBy: { staging: number; committing: number };
  peakHeapMiB: number;
  peakOutsideHeapMiB: number;
}> {
  const child = spawn(
    process.execPath,
    [...NODE_FLAGS, '--import', 'tsx', path.join(root, 'bench/extraction/shopify-lake-extract.ts')],
    {
      cwd: root,
      env: { ...process.env, BENCH_LAKE_BUCKET: bucket, BENCH_DRY: dry ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`shopify-lake-extract exited ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

try {
  // 1a. Ours, in its own process; then the same generation without writing, for the floor.
  const loadBefore = load();
  const ours = await extractProcess(false);
  const loadOurs = load();
  const floor = await extractProcess(true);
  const { rows, commits } = ours;
  const writeMs = ours.writeSeconds * 1000;

  // The baseline's input: the same orders through orderRows into local NDJSON (not timed).
  const ordersJson = ndjson(path.join(dir, 'orders.ndjson'));
  const linesJson = ndjson(path.join(dir, 'lines.ndjson'));
  for (const page of orderPages(ORDERS, PAGE)) {
    const tables = orderRows(page);
    await ordersJson.write(tables[0]!.rows, (r) => String(r.created_at).slice(0, 10));
    await linesJson.write(tables[1]!.rows, (r) => String(r.order_created_at).slice(0, 10));
  }
  await ordersJson.end();
  await linesJson.end();

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
    ours: {
      seconds: Number((writeMs / 1000).toFixed(1)),
      rowsPerSecond: oursRate,
      peakRssMiB: ours.peakRssMiB,
      peakRssMiBWhile: ours.peakBy,
      peakHeapMiB: ours.peakHeapMiB,
      peakOutsideHeapMiB: ours.peakOutsideHeapMiB,
      processSeconds: Number(ours.seconds.toFixed(1)),
    },
    generationOnlyPeakRssMiB: floor.peakRssMiB,
    extractionNodeFlags: NODE_FLAGS,
    duckdbFromLocalJson: { seconds: Number((duckMs / 1000).toFixed(1)), rowsPerSecond: duckRate },
    ratio: Number((oursRate / duckRate).toFixed(3)),
    target: { peakRssMiB: '< 512' },
    note:
      'ours = openLakeTableWriter add per page of orderRows output (validate, stage NDJSON on local disk) + commit ' +
      '(DuckDB merge with the partitions on S3, dedup, zstd Parquet, PUT, manifest); baseline = DuckDB COPY of the ' +
      'same rows from local NDJSON to local Parquet. ours runs in a process of its own (shopify-lake-extract.ts) and ' +
      'peakRssMiB is its VmHWM (the whole process: V8 heap, DuckDB native memory, libraries); peakHeapMiB is the ' +
      'V8 heap and peakOutsideHeapMiB the most seen outside it (RSS less the heap: DuckDB, buffers, code), sampled ' +
      'every 200 ms and every page. It runs with the Node flags of a production worker (extractionNodeFlags). The ' +
      'orders are generated a page at a time as they would arrive; ' +
      'generationOnlyPeakRssMiB is the same process generating and mapping the orders without writing them.',
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
