import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { RowDataPacket } from 'mysql2/promise';
import { createLedger } from '../../activities/inventory/ledger';
import { pickUpPass } from '../../activities/inventory/stock-pickup';
import { createPool, pimDb, storeDb } from '../../db/client';
import { seedDemoData } from '../../db/seed';
import { onHandDelta } from '../../domain/inventory/movements';
import { createS3Client } from '../../lake/s3';
import { benchStack, writeResult } from '../support/env';

/**
 * Ledger ingest of N POS sales (default 1,000,000) from the store DB through the continuous pickup's pass
 * (high-water mark, screening, optimistic-locked batches), against a raw multi-row INSERT of the same movement
 * rows into a copy of the movements table, in the same run on the same machine. RSS is this process's peak
 * (it runs the pickup code the worker runs, and generated the rows too).
 * Run: npx tsx bench/inventory/ledger-ingest.ts   (LEDGER_BENCH_SALES=100000 for a quick run)
 */
const N = Number(process.env.LEDGER_BENCH_SALES ?? 1_000_000);
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

// The ledger: passes until the generated sales are in.
const started = Date.now();
let applied = 0;
let retries = 0;
for (;;) {
  const p = await pickUpPass({ ...pools, ledger }, { pageSize: 10_000, maxRows: 100_000 });
  applied += p.applied;
  retries += p.retries;
  if (p.applied === 0) break;
}
const ledgerSeconds = (Date.now() - started) / 1000;

// The baseline: the same movement rows, raw multi-row INSERTs of 2,000 into a copy of the table.
await pools.inventory.query('DROP TABLE IF EXISTS movements_raw');
await pools.inventory.query('CREATE TABLE movements_raw LIKE movements');
const rawStart = Date.now();
for (let i = 0; i < N; i += 2_000) {
  const rows = Array.from({ length: Math.min(2_000, N - i) }, (_, j) => sale(i + j));
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
const rawSeconds = (Date.now() - rawStart) / 1000;
await pools.inventory.query('DROP TABLE movements_raw');
const peak = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

const ledgerRate = Math.round(N / ledgerSeconds);
const rawRate = Math.round(N / rawSeconds);
writeResult('ledger-ingest', {
  commit,
  sales: N,
  applied,
  optimisticLockRetries: retries,
  ledgerSeconds,
  ledgerMovementsPerSecond: ledgerRate,
  rawInsertSeconds: rawSeconds,
  rawMovementsPerSecond: rawRate,
  shareOfRaw: Math.round((ledgerRate / rawRate) * 1000) / 1000,
  peakRssMiB: Math.round(peak),
  target: { shareOfRaw: '>= 0.50', peakRssMiB: '< 512' },
  note: 'ledger = pickup passes (read store DB by id, screen SKUs/locations, duplicate check, fold, insert movements, optimistic level upserts, sku_sync) in transactions of 2,000; raw = INSERT of the same rows in batches of 2,000',
});
await Promise.all(Object.values(pools).map((p) => p.end()));
s3.destroy();
await stack.stop();
