import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLedger } from '../../activities/inventory/ledger';
import { createLedgerReads } from '../../activities/inventory/ledger-reads';
import { createReconActivities } from '../../activities/inventory/recon';
import { INVENTORY_LEVEL, ShopifyClient } from '../../connectors/shopify';
import { createPool } from '../../db/client';
import { DATABASES, createDatabase, migrateAll, type DatabaseUrls } from '../../db/migrate';
import type { Movement } from '../../domain/inventory/movements';
import { startShopifySandbox } from '../../sandbox/shopify';
import { newLevel } from '../../sandbox/shopify/inventory-levels';
import { seedProduct } from '../../sandbox/shopify/catalog-objects';
import { PLANS } from '../../sandbox/shopify/throttle';
import { createS3Client } from '../../lake/s3';
import { stockReconcile } from '../../workflows/inventory/recon';
import { installWorkerLogging } from '../../workers/logging';
import { benchStack, writeResult } from '../support/env';

// Issue 12's reconciliation benchmark: 50,000 SKUs × 4 stores (200,000 SKU × location rows) in the store DB, the
// ledger and the sandbox shop, with drift of every kind; one `stockReconcile` run (corrections on) timed end to end,
// and the Shopify points it spent against what the Plus plan restores over the same time.
const SKUS = Number(process.env.BENCH_SKUS ?? 50_000);
const STORES = ['C', 'EM', 'SC', 'O'];
const DRIFT = Number(process.env.BENCH_DRIFT ?? 0.005);

const { stack, config } = await benchStack();
installWorkerLogging('WARN');
const tag = `rc${randomUUID().slice(0, 6)}`;
const admin = new URL(config.databases.pim);
const urls = Object.fromEntries(
  DATABASES.map((db) => [db, `${admin.protocol}//${admin.username}@${admin.host}/${db}_${tag}`]),
) as DatabaseUrls;
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const sku = (i: number) => `BEN-${String(i + 1).padStart(6, '0')}-1`;
// A deterministic spread of quantities and drift (no Math.random: the same run every time).
const qty = (i: number, s: number) => (i * 7 + s * 13) % 61;
/** Whether row (i, s) drifts in way `salt`: an integer hash (murmur3's finaliser), independent per salt. */
function pick(i: number, s: number, salt: number): boolean {
  let h = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(s + 1, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32 < DRIFT;
}

try {
  for (const url of Object.values(urls)) await createDatabase(url);
  await migrateAll(urls);
  const pools = { pim: createPool(urls.pim), store: createPool(urls.store), inventory: createPool(urls.inventory) };
  const sandbox = await startShopifySandbox({ plan: 'plus', shop: `${tag}.myshopify.com` });
  const t0 = performance.now();

  // The shop: one product and inventory item per SKU, stocked at the four store locations (set up in memory: the
  // fixture, not the thing measured).
  const s = sandbox.state;
  const locations = [...s.locations.values()].slice(0, STORES.length);
  const items: string[] = [];
  const productIds: string[] = [];
  for (let i = 0; i < SKUS; i++) {
    const levels = new Map(
      locations.map((l, k) => {
        // Shopify drifted on some levels (edited by hand in the admin).
        const onHand = qty(i, k) + (pick(i, k, 3) ? 11 : 0);
        return [l.id, newLevel({ onHand })];
      }),
    );
    const { product, item } = seedProduct(s, {
      handle: `ben-${i + 1}`,
      title: `Bench item ${i + 1}`,
      sku: sku(i),
      price: '4.99',
      levels,
    });
    const itemId = item.id;
    items.push(itemId);
    productIds.push(product.id);
  }

  // The PIM: the products, their Shopify mapping, the store → location mapping.
  const insert = async (pool: typeof pools.pim, sql: string, rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 5000) await pool.query(sql, [rows.slice(i, i + 5000)]);
  };
  const ids = Array.from({ length: SKUS }, (_, i) => i + 1);
  await insert(
    pools.pim,
    'INSERT INTO products (id, handle, title) VALUES ?',
    ids.map((id) => [id, `ben-${id}`, `Bench item ${id}`]),
  );
  await insert(
    pools.pim,
    'INSERT INTO variants (id, product_id, sku, price) VALUES ?',
    ids.map((id) => [id * 10, id, sku(id - 1), '4.99']),
  );
  await insert(
    pools.pim,
    'INSERT INTO channel_mappings (channel, pim_product_id, external_id, external_variant_ids, status) VALUES ?',
    ids.map((id) => [
      'shopify',
      id,
      productIds[id - 1]!,
      JSON.stringify({ [sku(id - 1)]: { variantId: 'x', inventoryItemId: items[id - 1] } }),
      'SYNCED',
    ]),
  );
  await insert(
    pools.pim,
    'INSERT INTO location_mappings (store_code, shopify_location_id) VALUES ?',
    STORES.map((code, k) => [code, locations[k]!.id]),
  );

  // The store DB: counts (recorded at T), shelf prices, a few SKUs the PIM does not know.
  const T = new Date('2026-11-30T06:00:00.000Z');
  await insert(
    pools.store,
    'INSERT INTO stores (code, name) VALUES ?',
    STORES.map((c) => [c, `Store ${c}`]),
  );
  const stockRows = ids.flatMap((id) => STORES.map((c, k) => [c, sku(id - 1), qty(id - 1, k), T]));
  for (let i = 0; i < 200; i++) stockRows.push([STORES[i % 4]!, `UNK-${String(i).padStart(6, '0')}-1`, 3, T]);
  await insert(pools.store, 'INSERT INTO stock (store_code, sku, on_hand, updated_at) VALUES ?', stockRows);
  await insert(
    pools.store,
    'INSERT INTO store_products (store_code, pos_sku, sku, barcode, shelf_price) VALUES ?',
    ids.flatMap((id) => STORES.map((c) => [c, `${c}-${sku(id - 1)}`, sku(id - 1), null, '4.99'])),
  );

  // The ledger, through its own API: a count per SKU × store at T.
  const s3 = createS3Client(config.aws);
  const ledger = createLedger({ ...pools, s3, quarantineBucket: config.aws.buckets.quarantine });
  const tl = performance.now();
  const counts: Movement[] = ids.flatMap((id) =>
    STORES.map((c, k) => ({
      key: `bench/count/${c}/${sku(id - 1)}`,
      kind: 'count' as const,
      sku: sku(id - 1),
      location: c,
      quantity: qty(id - 1, k),
      occurredAt: T.toISOString(),
    })),
  );
  for (let i = 0; i < counts.length; i += 20_000)
    await ledger.applyMovements(counts.slice(i, i + 20_000), { source: 'bench-seed' });
  const ledgerSeedSeconds = (performance.now() - tl) / 1000;
  // Drift: stores that counted again since (ledger behind), sales the store DB does not show yet (store behind).
  const recount = ids.flatMap((id) => STORES.filter((_, k) => pick(id - 1, k, 1)).map((c) => [c, sku(id - 1)]));
  for (const [c, x] of recount)
    await pools.store.query('UPDATE stock SET on_hand = on_hand + 3 WHERE store_code = ? AND sku = ?', [c, x]);
  const sales: Movement[] = ids.flatMap((id) =>
    STORES.filter((_, k) => pick(id - 1, k, 2) && !pick(id - 1, k, 1) && qty(id - 1, k) > 0).map((c) => ({
      key: `bench/sale/${c}/${sku(id - 1)}`,
      kind: 'pos_sale' as const,
      sku: sku(id - 1),
      location: c,
      quantity: 1,
      occurredAt: new Date(T.getTime() + 3_600_000).toISOString(),
    })),
  );
  await ledger.applyMovements(sales, { source: 'bench-seed' });
  const setupSeconds = (performance.now() - t0) / 1000;
  console.log(`set up ${SKUS} SKUs × ${STORES.length} stores in ${setupSeconds.toFixed(1)} s`);

  // The run: a worker with the reconciliation's activities, one workflow execution.
  const shopify = new ShopifyClient({
    shop: `${tag}.myshopify.com`,
    accessToken: sandbox.accessToken,
    adminUrl: sandbox.adminGraphqlUrl,
  });
  const native = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection: native,
    taskQueue: `${tag}.data`,
    workflowBundle: { codePath: process.env.BACKBONE_WORKFLOW_BUNDLE! },
    activities: createReconActivities({
      ...pools,
      shopify,
      s3,
      buckets: config.aws.buckets,
      ledger,
      reads: createLedgerReads(pools),
      temporal: async () => client,
    }),
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const tr = performance.now();
  const summary = await worker.runUntil(
    client.workflow.execute(stockReconcile, {
      taskQueue: `${tag}.data`,
      workflowId: `bench/${tag}/stock-reconcile`,
      args: [{ day: '2026-11-30' }],
    }),
  );
  const seconds = (performance.now() - tr) / 1000;
  clearInterval(sampler);
  const plan = PLANS.plus;
  const itemByItem = SKUS * STORES.length * INVENTORY_LEVEL.estimatedCost;
  writeResult('reconcile-stock', {
    commit,
    skus: SKUS,
    stores: STORES.length,
    rows: summary.counts.compared,
    driftRate: DRIFT,
    setup: { seconds: Number(setupSeconds.toFixed(1)), ledgerSeedSeconds: Number(ledgerSeedSeconds.toFixed(1)) },
    seconds: Number(seconds.toFixed(1)),
    rowsPerSecond: Math.round(summary.counts.compared / seconds),
    activitySeconds: summary.seconds,
    phases: summary.phases,
    shopify: {
      plan: 'plus',
      levelsRead: summary.shopify.levelsRead,
      requests: summary.shopify.requests,
      pointsSpent: summary.shopify.pointsSpent,
      // What the plan restores over the run: the points the reconciliation could have spent without waiting.
      planBudgetOverRun: Math.round(plan.restoreRate * seconds),
      shareOfPlanBudget: Number((summary.shopify.pointsSpent / (plan.restoreRate * seconds)).toFixed(5)),
      // The same read one inventoryLevel query per SKU × location would cost, and how long the plan would take.
      itemByItemPoints: itemByItem,
      itemByItemSecondsAtRestoreRate: Math.round(itemByItem / plan.restoreRate),
      sandboxBulkRowsPerSecond: 20_000,
    },
    classes: Object.fromEntries(Object.entries(summary.counts.byClass).map(([k, v]) => [k, v.rows])),
    corrections: summary.corrections,
    rejected: summary.rejected.rejected,
    // The bench process: worker, activities and the sandbox shop in memory together.
    processPeakRssMiB: Math.round(peakRss / 1024 / 1024),
    targets: { seconds: '< 300', shareOfPlanBudget: '< 0.01' },
  });
  await native.close();
  await sandbox.close();
  s3.destroy();
  await Promise.all(Object.values(pools).map((p) => p.end()));
} finally {
  await connection.close();
  await stack.stop();
}
