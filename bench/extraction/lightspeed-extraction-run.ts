import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { saleQuery, type ExtractTotals } from '../../activities/extraction/lightspeed-sales';
import { lightspeedAccount } from '../../activities/extraction/lightspeed-account';
import { extractionLake } from '../../activities/platform/lake';
import { migrateAll } from '../../db/migrate';
import { salePageRows } from '../../domain/extraction/lightspeed-tables';
import { loadConfig } from '../../workers/config';
import { createDeps } from '../../workers/deps';
import { activitiesFor } from '../../workers/registry';

/**
 * The worker side of bench/extraction/lightspeed-extraction.ts, in a process of its own started with a production
 * worker's Node flags, so its peak RSS is a worker's: the four shops through the production activity (or, in
 * connector mode, the client alone) against the sandbox at BENCH_LS_URL, the bucket sampled every second. Prints one
 * JSON line: the run's figures and this process's peak RSS.
 */
const url = process.env.BENCH_LS_URL!;
const DAYS = Number(process.env.BENCH_DAYS ?? 50);
const SHOPS = Number(process.env.BENCH_SHOPS ?? 4);
const MODE = process.env.BENCH_MODE === 'connector' ? 'connector' : 'lake';
const PREFILL = process.env.BENCH_PREFILL !== '0';
const COMMIT_DELAY_MS = Number(process.env.BENCH_COMMIT_DELAY_MS ?? 0);

const status = () => fs.readFileSync('/proc/self/status', 'utf8');
const mib = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1]) / 1024);

const inspect = async () =>
  (await (await fetch(`${url}/_sandbox/stats`)).json()) as {
    requests: number;
    throttled: number;
    bucket: { level: number; size: number; drip: number };
  };
const refresh = (
  (await (await fetch(`${url}/_sandbox/authorize`, { method: 'POST' })).json()) as { refresh_token: string }
).refresh_token;
const config = loadConfig({
  ...process.env,
  LIGHTSPEED_ACCOUNT_ID: '271828',
  LIGHTSPEED_API_URL: `${url}/API/V3`,
  LIGHTSPEED_TOKEN_URL: `${url}/auth/oauth/token`,
  LIGHTSPEED_CLIENT_ID: 'backbone-lightspeed',
  LIGHTSPEED_CLIENT_SECRET: 'sandbox-client-secret',
  LIGHTSPEED_REFRESH_TOKEN: refresh,
  LIGHTSPEED_TOKEN_KEY: randomBytes(32).toString('hex'),
});
await migrateAll(config.databases, { createDatabases: true });
const deps = createDeps(config);
if (COMMIT_DELAY_MS) {
  const lake = extractionLake(deps);
  const inner = lake.lock!;
  lake.lock = {
    withLock: (key, fn) => inner.withLock(key, () => new Promise((r) => setTimeout(r, COMMIT_DELAY_MS)).then(fn)),
  };
}
const acts = activitiesFor('lightspeed', deps) as unknown as {
  lightspeedExtractSales(i: unknown): Promise<ExtractTotals>;
};
const end = Date.parse('2026-12-01T00:00:00Z');
const window = {
  kind: 'completed',
  from: new Date(end - DAYS * 86_400_000).toISOString(),
  to: new Date(end).toISOString(),
};

const client = lightspeedAccount(deps);
await client.ready();
if (PREFILL) {
  let s = await inspect();
  while (s.bucket.level < s.bucket.size - 2) {
    await Promise.all(
      Array.from({ length: Math.max(1, Math.floor(s.bucket.size - s.bucket.level - 2)) }, () =>
        client.client.get(client.client.url('Shop')),
      ),
    );
    s = await inspect();
  }
}
const run = (shopId: number): Promise<ExtractTotals> =>
  MODE === 'lake'
    ? acts.lightspeedExtractSales({ shopId, window })
    : (async () => {
        const t: ExtractTotals = {
          pages: 0,
          sales: 0,
          lines: 0,
          payments: 0,
          taxLines: 0,
          quarantined: 0,
          deadLetters: [],
          newUnknownFields: [],
        };
        for await (const page of client.client.pages('Sale', saleQuery(shopId, window as never))) {
          const rows = salePageRows(page.body);
          t.pages++;
          t.sales += rows.sales.length;
          t.lines += rows.lines.length;
        }
        return t;
      })();

// Samples of the sandbox's bucket, to find when the burst was spent and the drip became the limit, and when the last
// request was made (after it, the run only waits for the lake).
const before = await inspect();
const loadBefore = os.loadavg().map((l) => Number(l.toFixed(1)));
const samples: { t: number; requests: number; level: number }[] = [];
const started = performance.now();
// The worker's memory: the V8 heap's peak and the most seen outside it (RSS less the heap: DuckDB, buffers, code).
const memory = { heap: 0, outsideHeap: 0 };
const sampler = setInterval(() => {
  const { rss, heapTotal } = process.memoryUsage();
  memory.heap = Math.max(memory.heap, Math.round(heapTotal / 2 ** 20));
  memory.outsideHeap = Math.max(memory.outsideHeap, Math.round((rss - heapTotal) / 2 ** 20));
  if (process.env.BENCH_MEM_TRACE)
    console.error(
      `[mem] ${Math.round(performance.now() - started)} rss ${Math.round(rss / 2 ** 20)} heap ${Math.round(heapTotal / 2 ** 20)}`,
    );
  // A sample lost (the sandbox closed an idle keep-alive socket under load) is skipped, not a crash of the run.
  void inspect()
    .then((s) =>
      samples.push({ t: performance.now() - started, requests: s.requests - before.requests, level: s.bucket.level }),
    )
    .catch(() => undefined);
}, 1000);
const results = await Promise.all(Array.from({ length: SHOPS }, (_, i) => run(i + 1)));
clearInterval(sampler);
const seconds = (performance.now() - started) / 1000;
const after = await inspect();
await deps.close();
const requests = after.requests - before.requests;
const { size, drip } = after.bucket;
const room = Math.max(0, size - before.bucket.level);
const full = samples.find((s) => s.level >= size - 3);
const steady = full ? { seconds: seconds - full.t / 1000, requests: requests - full.requests } : undefined;
// The first sample that saw every request: fetching was over by then (to within the 1 s sampling).
const lastRequest = samples.find((s) => s.requests >= requests);
const fetchSeconds = lastRequest ? lastRequest.t / 1000 : seconds;
const lines = results.reduce((s, r) => s + r.lines, 0);
const share = (n: number, s: number) => Math.round((n / (room + drip * s)) * 1000) / 1000;
console.log(
  JSON.stringify({
    mode: MODE,
    loadAverage: { before: loadBefore, after: os.loadavg().map((l) => Number(l.toFixed(1))) },
    commitDelayMs: COMMIT_DELAY_MS,
    bucketFullAtStart: PREFILL,
    saleLines: lines,
    sales: results.reduce((s, r) => s + r.sales, 0),
    pages: results.reduce((s, r) => s + r.pages, 0),
    seconds: Math.round(seconds * 10) / 10,
    requests,
    throttled429: after.throttled - before.throttled,
    bucket: { size, dripPerSecond: drip },
    requestsPerSecond: Math.round((requests / seconds) * 100) / 100,
    // What the bucket allows over the run: its free room at the start once, plus the drip for the duration.
    shareOfBucketAllowance: share(requests, seconds),
    // The same up to the last request: how well fetching kept up; after it the run waits only for its last commits.
    whileFetching: {
      seconds: Math.round(fetchSeconds * 10) / 10,
      shareOfBucketAllowance: share(requests, fetchSeconds),
      lastCommitsSeconds: Math.round((seconds - fetchSeconds) * 10) / 10,
    },
    steadyState: steady && {
      fromSecond: Math.round(full!.t / 100) / 10,
      requestsPerSecond: Math.round((steady.requests / steady.seconds) * 100) / 100,
      shareOfDripRate: Math.round((steady.requests / steady.seconds / drip) * 1000) / 1000,
    },
    saleLinesPerSecond: Math.round(lines / seconds),
    quarantined: results.reduce((s, r) => s + r.quarantined, 0),
    workerPeakRssMiB: mib('VmHWM'),
    workerPeakHeapMiB: memory.heap,
    workerPeakOutsideHeapMiB: memory.outsideHeap,
  }),
);
