import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import type { RowDataPacket } from 'mysql2/promise';
import { createLedger } from '../../activities/inventory/ledger';
import { pickUpPass } from '../../activities/inventory/stock-pickup';
import { createPool, pimDb, storeDb } from '../../db/client';
import { seedDemoData } from '../../db/seed';
import { onHandDelta } from '../../domain/inventory/movements';
import { createS3Client } from '../../lake/s3';
import { startChildWorker } from '../../test/support/child-worker';
import { stockPickup } from '../../workflows/inventory';
import { benchStack, peakRssMiB, writeResult } from '../support/env';

/**
 * Ledger ingest of N POS sales (default 1,000,000) from the store DB into the ledger by a production worker in
 * its own process (test/support/worker-process.ts, data queue) running the `inventory-pickup` workflow as the
 * stack runs it (high-water marks, screening, fold, batched writes with optimistic-locked levels), against a raw
 * multi-row INSERT of the same movement rows into a copy of the movements table, in the same run on the same
 * machine (half before the ledger's run, half after). RSS is the worker process's peak (VmHWM), not this
 * process's (which seeds and generates the rows).
 * Run: npx tsx bench/inventory/ledger-ingest.ts   (LEDGER_BENCH_SALES=100000 for a quick run)
 */
const N = Number(process.env.LEDGER_BENCH_SALES ?? 1_000_000);
const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const { stack, config } = await benchStack();
const pools = {
  pim: createPool(config.databases.pim),
  store: createPool(config.databases.store),
  inventory: createPool(config.databases.inventory),
};
const s3 = createS3Client(config.aws);
await seedDemoData({ pim: pimDb(pools.pim), store: storeDb(pools.store) }, { products: 2000, seed: 3 });
const [skuRows] = await pools.pim.query<RowDataPacket[]>('SELECT sku FROM variants');
const skus = skuRows.map((r) => r.sku as string);
const stores = ['EMERALD', 'C', 'SUNSET', 'OISTINS'];
// The seed's own history first, so the measured pass reads only the generated sales.
const ledger = createLedger({ ...pools, s3, quarantineBucket: config.aws.buckets.quarantine });
while ((await pickUpPass({ ...pools, ledger })).applied > 0);

const [[maxRow]] = (await pools.store.query('SELECT COALESCE(MAX(id), 0) AS m FROM pos_sales')) as unknown as [
  { m: number }[],
];
const first = Number(maxRow!.m) + 1;
const t0 = Date.UTC(2026, 11, 1, 8);
const sale = (i: number) => ({
  id: first + i,
  store: stores[i % 4]!,
  sku: skus[(i * 7919) % skus.length]!,
  quantity: 1 + (i % 3),
  soldAt: new Date(t0 + i * 37),
});
for (let i = 0; i < N; i += 10_000) {
  const rows = Array.from({ length: Math.min(10_000, N - i) }, (_, j) => sale(i + j));
  await pools.store.query('INSERT INTO pos_sales (id, store_code, sku, quantity, amount, sold_at) VALUES ?', [
    rows.map((r) => [r.id, r.store, r.sku, r.quantity, '2.50', r.soldAt]),
  ]);
}

// The baseline: the same movement rows, raw multi-row INSERTs of 2,000 into a copy of the table; half of them
// before the ledger's run and half after, so a change of the machine's load during the run weighs on both sides.
await pools.inventory.query('DROP TABLE IF EXISTS movements_raw');
await pools.inventory.query('CREATE TABLE movements_raw LIKE movements');
async function rawInsert(from: number, to: number): Promise<number> {
  const t = Date.now();
  for (let i = from; i < to; i += 2_000) {
    const rows = Array.from({ length: Math.min(2_000, to - i) }, (_, j) => sale(i + j));
    await pools.inventory.query(
      'INSERT INTO movements_raw (movement_key, content_hash, kind, sku, location, quantity, on_hand_delta, occurred_at) VALUES ?',
      [
        rows.map((r) => [
          `pos/${r.store}/${r.id}`,
          '0000000000000000',
          'pos_sale',
          r.sku,
          r.store,
          r.quantity,
          onHandDelta({ kind: 'pos_sale', quantity: r.quantity }),
          r.soldAt,
        ]),
      ],
    );
  }
  return (Date.now() - t) / 1000;
}
const HALF = Math.floor(N / 2 / 2_000) * 2_000;
const rawBefore = await rawInsert(0, HALF);

// The ledger: a worker process runs the pickup workflow until the high-water mark passes the last sale.
const last = first + N - 1;
const tag = `li${Date.now().toString(36)}`;
const worker = await startChildWorker(tag, { CHILD_WORKER_QUEUES: 'data' });
const idleRssMiB = peakRssMiB(worker.child.pid!);
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const [[before]] = (await pools.inventory.query('SELECT COUNT(*) AS n FROM movements')) as unknown as [{ n: number }[]];
const started = Date.now();
const handle = await client.workflow.start(stockPickup, {
  taskQueue: `${tag}.data`,
  workflowId: `inventory-pickup/${tag}`,
  args: [{ pollMs: 250, runForMs: 60_000 }],
});
for (;;) {
  const [[c]] = (await pools.inventory.query('SELECT pos_sale_id AS id FROM pickup_cursors WHERE source = ?', [
    'store-db',
  ])) as unknown as [{ id: number }[]];
  if (Number(c?.id ?? 0) >= last) break;
  await new Promise((r) => setTimeout(r, 100));
}
const ledgerSeconds = (Date.now() - started) / 1000;
const workerPeakRssMiB = peakRssMiB(worker.child.pid!);
// An attempt that missed its heartbeat runs on beside its retry, and the two race for the same levels.
const pickupTimeouts = (await handle.fetchHistory()).events!.filter(
  (e) => e.activityTaskTimedOutEventAttributes,
).length;
await handle.terminate('bench done');
await worker.kill();
const [[after]] = (await pools.inventory.query('SELECT COUNT(*) AS n FROM movements')) as unknown as [{ n: number }[]];
const applied = Number(after!.n) - Number(before!.n);
const [[sync]] = (await pools.inventory.query(
  'SELECT COUNT(*) AS skus, SUM(ledger_version) AS versions FROM sku_sync',
)) as unknown as [{ skus: number; versions: string }[]];

const rawSeconds = rawBefore + (await rawInsert(HALF, N));
await pools.inventory.query('DROP TABLE movements_raw');

const ledgerRate = Math.round(N / ledgerSeconds);
const rawRate = Math.round(N / rawSeconds);
writeResult('ledger-ingest', {
  commit,
  sales: N,
  applied,
  skuCounters: { skus: Number(sync!.skus), ledgerVersions: Number(sync!.versions) },
  ledgerSeconds,
  ledgerMovementsPerSecond: ledgerRate,
  rawInsertSeconds: rawSeconds,
  rawInsertSecondsBeforeAfter: [rawBefore, rawSeconds - rawBefore],
  rawMovementsPerSecond: rawRate,
  shareOfRaw: Math.round((ledgerRate / rawRate) * 1000) / 1000,
  pickupTimeouts,
  loadAverage: { start: loadAtStart, end: os.loadavg().map((l) => Math.round(l * 100) / 100) },
  workerIdleRssMiB: idleRssMiB,
  workerPeakRssMiB,
  target: { shareOfRaw: '>= 0.50', workerPeakRssMiB: '< 512' },
  note: 'ledger = a worker process running inventory-pickup (pages of 50,000 by id, each read while the one before is written; screen SKUs (known ones cached 30 s) and locations; fold on the levels the last commit left (cached, version-checked at the write); level upserts once per SKU x location per batch with the version check; INSERT IGNORE of movements in statements of 2,000 with the keys read only when one was there; sku_sync) in transactions of up to 50,000; raw = INSERT of the same rows in batches of 2,000, half before the ledger run and half after',
});
await connection.close();
await Promise.all(Object.values(pools).map((p) => p.end()));
s3.destroy();
await stack.stop();
