import fs from 'node:fs';
import { orderRows } from '../../domain/extraction/shopify-rows';
import { SHOPIFY_LINE_ITEMS, SHOPIFY_ORDERS } from '../../domain/extraction/shopify-tables';
import { openLakeTableWriter, type Lake } from '../../lake/lake-writer';
import { createS3Client } from '../../lake/s3';
import { loadConfig } from '../../workers/config';
import { orderPages } from './shopify-orders-fixture';

/**
 * The extraction side of bench/extraction/shopify-lake.ts, in a process of its own so its peak RSS is the
 * extraction's: order pages generated one at a time (as they arrive from Shopify) → orderRows → one lake table writer
 * per table (each page validated and staged on local disk), committed every COMMIT_ROWS line items (merged with
 * the partitions on S3, deduplicated, zstd Parquet per created day, PUT, manifest). BENCH_DRY=1 generates and maps
 * the same pages without writing them: the process's floor. Prints one JSON line.
 */
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 250);
const COMMIT_ROWS = Number(process.env.BENCH_COMMIT_ROWS ?? 1_000_000);
const DRY = process.env.BENCH_DRY === '1';
const bucket = process.env.BENCH_LAKE_BUCKET!;

const rssMiB = () =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024);
const hwmMiB = () =>
  Math.round(Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024);

const config = loadConfig(process.env);
const s3 = createS3Client(config.aws);
const lake: Lake = { s3, bucket, quarantineBucket: config.aws.buckets.quarantine };
const writers = DRY
  ? []
  : [SHOPIFY_ORDERS, SHOPIFY_LINE_ITEMS].map((t) => openLakeTableWriter(lake, { ...t, now: new Date() }));
// Where the peak comes from: the highest RSS seen while staging and while committing; the V8 heap's, and the most
// seen outside it (RSS less the heap: DuckDB's native memory, Node's buffers, code).
const peak = { staging: 0, committing: 0 };
const peakOf = { heap: 0, outsideHeap: 0 };
let phase: keyof typeof peak = 'staging';
const sample = () => {
  const rss = rssMiB();
  const heap = Math.round(process.memoryUsage().heapTotal / 2 ** 20);
  peak[phase] = Math.max(peak[phase], rss);
  peakOf.heap = Math.max(peakOf.heap, heap);
  peakOf.outsideHeap = Math.max(peakOf.outsideHeap, rss - heap);
};
// The timer samples commits; staging never yields to the event loop for long, so it is sampled every page too.
const sampler = setInterval(sample, 200);
let rows = 0;
let commits = 0;
// The writer's time (add + commit), as the baseline times only DuckDB's COPY: generation and orderRows excluded.
let writeMs = 0;
const timed = async <T>(f: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    writeMs += performance.now() - t0;
  }
};
const started = performance.now();
try {
  const commitAll = async () => {
    phase = 'committing';
    for (const w of writers) if (w.stagedRows) rows += (await timed(() => w.commit())).written;
    phase = 'staging';
    commits++;
  };
  for (const page of orderPages(ORDERS, PAGE)) {
    const tables = orderRows(page);
    sample();
    if (DRY) {
      rows += tables[0]!.rows.length + tables[1]!.rows.length;
      continue;
    }
    for (const [i, w] of writers.entries()) await timed(() => w.add(tables[i]!.rows));
    if (writers[1]!.stagedRows >= COMMIT_ROWS) await commitAll();
  }
  await commitAll();
} finally {
  for (const w of writers) w.close();
  clearInterval(sampler);
  s3.destroy();
}
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    rows,
    commits,
    seconds,
    writeSeconds: writeMs / 1000,
    peakRssMiB: hwmMiB(),
    peakBy: peak,
    peakHeapMiB: peakOf.heap,
    peakOutsideHeapMiB: peakOf.outsideHeap,
  }),
);
