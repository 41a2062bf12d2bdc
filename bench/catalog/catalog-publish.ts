import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { productSetCost } from '../../sandbox/shopify/cost';
import { startShopifySandbox } from '../../sandbox/shopify';
import { PLANS } from '../../sandbox/shopify/throttle';
import { createPool, pimDb, storeDb } from '../../db/client';
import { DATABASES, createDatabase, migrateAll, type DatabaseUrls } from '../../db/migrate';
import { seedDemoData } from '../../db/seed';
import { updateProduct } from '../../db/pim/catalog-writes';
import { toProductSetInput } from '../../domain/catalog/shopify-product';
import { loadProducts } from '../../activities/catalog/pim-reads';
import { catalogBackfill } from '../../workflows/catalog';
import { outboxRelay } from '../../workflows/platform';
import { startChildWorker } from '../../test/support/child-worker';
import { createDeps } from '../../workers/deps';
import { activitiesFor } from '../../workers/registry';
import { loadConfig } from '../../workers/config';
import { benchStack, peakRssMiB, percentile, writeResult } from '../support/env';

// Issue 4's three benchmarks against the sandbox on the Plus plan:
//  1. per-product backfill of PER_PRODUCT products: products/s vs the ceiling restoreRate / cost per productSet;
//  2. bulk backfill of BULK products end to end, worker in its own process: wall time and its peak RSS;
//  3. PIM commit → Shopify write latency for EDITS edits through the outbox relay (poll interval 0).
const PER_PRODUCT = Number(process.env.BENCH_PER_PRODUCT ?? 5000);
const BULK = Number(process.env.BENCH_BULK ?? 50_000);
const EDITS = Number(process.env.BENCH_EDITS ?? 200);
const WORKER_HEAP_MIB = Number(process.env.BENCH_WORKER_HEAP_MIB ?? 256);

const { stack, config } = await benchStack();
const admin = new URL(config.databases.pim);
const dbUrls = (tag: string) => {
  const u = (name: string) => `${admin.protocol}//${admin.username}@${admin.host}/${name}_${tag}`;
  return Object.fromEntries(DATABASES.map((db) => [db, u(db)])) as DatabaseUrls;
};
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const results: Record<string, unknown> = {};

async function seeded(tag: string, products: number) {
  const urls = dbUrls(tag);
  for (const url of Object.values(urls)) await createDatabase(url);
  await migrateAll(urls);
  const pools = [createPool(urls.pim), createPool(urls.store)];
  const t0 = performance.now();
  await seedDemoData({ pim: pimDb(pools[0]!), store: storeDb(pools[1]!) }, { products, seed: 9 });
  console.log(`seeded ${products} products in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { urls, pools, pim: pimDb(pools[0]!) };
}

async function inProcessWorker(tag: string, urls: { pim: string; store: string; orders: string }, shopifyUrl: string) {
  const cfg = loadConfig({
    ...process.env,
    PIM_DATABASE_URL: urls.pim,
    STORE_DATABASE_URL: urls.store,
    ORDERS_DATABASE_URL: urls.orders,
    SHOPIFY_ADMIN_URL: shopifyUrl,
    SHOPIFY_SHOP: `${tag}.myshopify.com`,
  });
  const deps = createDeps(cfg);
  const native = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await Promise.all(
    (['shopify', 'data'] as const).map((role) =>
      Worker.create({
        connection: native,
        taskQueue: `${tag}.${role}`,
        workflowBundle: { codePath: process.env.BACKBONE_WORKFLOW_BUNDLE! },
        activities: activitiesFor(role, deps),
      }),
    ),
  );
  const running = workers.map((w) => w.run());
  return {
    async stop() {
      workers.forEach((w) => w.shutdown());
      await Promise.all(running);
      await native.close();
      await deps.close();
    },
  };
}

try {
  // 1. Per-product backfill.
  if (PER_PRODUCT > 0) {
    const tag = `pp${randomUUID().slice(0, 6)}`;
    const { urls, pools, pim } = await seeded(tag, PER_PRODUCT);
    const sandbox = await startShopifySandbox({ plan: 'plus' });
    const sample = [
      ...(
        await loadProducts(
          pim,
          Array.from({ length: 200 }, (_, i) => i + 1),
        )
      ).values(),
    ];
    const avgCost = sample.reduce((n, p) => n + productSetCost(toProductSetInput(p)), 0) / sample.length;
    const ceiling = PLANS.plus.restoreRate / avgCost;
    const worker = await inProcessWorker(tag, urls, sandbox.adminGraphqlUrl);
    const t0 = performance.now();
    const r = await client.workflow.execute(catalogBackfill, {
      taskQueue: `${tag}.shopify`,
      workflowId: `bench/${tag}`,
      args: [{ name: tag, filter: {}, bulkThreshold: Number.MAX_SAFE_INTEGER }],
    });
    const seconds = (performance.now() - t0) / 1000;
    const stats = sandbox.state.stats();
    // Points taken from the initially full bucket are a burst allowance, not sustained throughput.
    const server = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as {
      throttleStatus: { currentlyAvailable: number };
    };
    const burstProducts = Math.max(0, PLANS.plus.maximumAvailable - server.throttleStatus.currentlyAvailable) / avgCost;
    results.perProduct = {
      products: PER_PRODUCT,
      synced: r.synced,
      seconds: Number(seconds.toFixed(1)),
      productsPerSecond: Number((PER_PRODUCT / seconds).toFixed(1)),
      sustainedProductsPerSecond: Number(((PER_PRODUCT - burstProducts) / seconds).toFixed(1)),
      averageProductSetCost: Number(avgCost.toFixed(2)),
      ceilingProductsPerSecond: Number(ceiling.toFixed(1)),
      shareOfCeiling: Number(((PER_PRODUCT - burstProducts) / seconds / ceiling).toFixed(3)),
      requests: stats.requests,
      throttled: stats.throttled,
      throttledShare: Number((stats.throttled / stats.requests).toFixed(4)),
      targets: { shareOfCeiling: '>= 0.90', throttledShare: '< 0.01' },
    };
    console.log(results.perProduct);
    await worker.stop();
    await sandbox.close();
    await Promise.all(pools.map((p) => p.end()));
  }

  // 2. Bulk backfill, worker in a child process so its RSS is its own.
  {
    const tag = `bk${randomUUID().slice(0, 6)}`;
    const { urls, pools, pim } = await seeded(tag, BULK);
    const sandbox = await startShopifySandbox({ plan: 'plus', bulkRowsPerSecond: 50_000 });
    const worker = await startChildWorker(tag, {
      PIM_DATABASE_URL: urls.pim,
      STORE_DATABASE_URL: urls.store,
      ORDERS_DATABASE_URL: urls.orders,
      SHOPIFY_ADMIN_URL: sandbox.adminGraphqlUrl,
      SHOPIFY_SHOP: `${tag}.myshopify.com`,
      // The production setting for workers (README): a bounded V8 heap. Buffering the population would crash it.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${WORKER_HEAP_MIB}`,
    });
    const t0 = performance.now();
    const r = await client.workflow.execute(catalogBackfill, {
      taskQueue: `${tag}.shopify`,
      workflowId: `bench/${tag}`,
      args: [{ name: tag, filter: {}, chunkSize: 5000 }],
    });
    const seconds = (performance.now() - t0) / 1000;
    const rss = peakRssMiB(worker.child.pid!);
    const n = ((await pools[0]!.query('SELECT COUNT(*) AS n FROM channel_mappings'))[0] as { n: number }[])[0]!.n;
    results.bulk = {
      products: BULK,
      synced: r.synced,
      failed: r.failed,
      mappingsWritten: Number(n),
      shopifyProducts: sandbox.state.products.size,
      bulkOperations: sandbox.state.bulkOperations.size,
      seconds: Number(seconds.toFixed(1)),
      workerPeakRssMiB: rss,
      workerHeapLimitMiB: WORKER_HEAP_MIB,
      targets: { seconds: '< 120', workerPeakRssMiB: '< 512' },
    };
    console.log(results.bulk);
    await worker.kill();
    void pim;

    // 3. Latency: the relay polls with no interval; each edit is timed from commit to the sandbox write.
    const latencyWorker = await inProcessWorker(tag, urls, sandbox.adminGraphqlUrl);
    const relay = await client.workflow.start(outboxRelay, {
      taskQueue: `${tag}.data`,
      workflowId: `bench/${tag}/relay`,
      args: [{ pollMs: 0, runForMs: 60_000 }],
    });
    const latencies: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const pimId = 1 + ((i * 37) % BULK);
      const title = `Edited ${i} ${randomUUID().slice(0, 4)}`;
      const product = () => sandbox.state.productByMetafield('backbone', 'pim_id', String(pimId));
      const t1 = performance.now();
      await updateProduct(pimDb(pools[0]!), pimId, { title });
      while (product()?.title !== title) await new Promise((r) => setTimeout(r, 2));
      latencies.push(performance.now() - t1);
    }
    await relay.terminate('bench done');
    latencies.sort((a, b) => a - b);
    results.latency = {
      edits: EDITS,
      p50Ms: Math.round(percentile(latencies, 50)),
      p95Ms: Math.round(percentile(latencies, 95)),
      maxMs: Math.round(latencies.at(-1)!),
      coalescingWindowMs: 0,
      targets: { p95Ms: '< 2000' },
    };
    console.log(results.latency);
    await latencyWorker.stop();
    await sandbox.close();
    await Promise.all(pools.map((p) => p.end()));
  }
  writeResult('catalog-publish', { plan: 'plus', ...results });
} finally {
  await connection.close();
  await stack.stop();
}
