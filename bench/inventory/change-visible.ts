import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import type { RowDataPacket } from 'mysql2/promise';
import { ShopifyClient, syncWebhookSubscriptions } from '../../connectors/shopify';
import { createPool, pimDb, storeDb } from '../../db/client';
import { DATABASES, migrateAll, type DatabaseUrls } from '../../db/migrate';
import { seedDemoData } from '../../db/seed';
import { createDynamoClient, ensureTables } from '../../lake/dynamo-tables';
import { createS3Client } from '../../lake/s3';
import { startShopifySandbox } from '../../sandbox/shopify';
import { startChildWorker } from '../../test/support/child-worker';
import { createWebhookServer } from '../../workers/webhooks-http';
import { benchStack, percentile, writeResult } from '../support/env';

// Issue 12: stock change in the store DB → quantity visible in Shopify. A published catalogue (seeded PIM and store
// DB, published by catalogBackfill), the production worker in its own process, the continuous pickup
// (inventory-pickup, as npm start runs it) and the storefront simulator placing grocery orders through real
// webhooks (receiver → orderUpsert → ledger reservations → inventory-sync) all the while. CHANGES POS sales of one
// unit, each on its own SKU × store, are inserted into the store DB at RATE per second; a change is visible when the
// sandbox's on_hand for that item at the store's location has dropped (Shopify's on_hand = what the ledger offers +
// committed, so storefront orders do not move it). Latency = visible − the INSERT's commit, both on this machine.
const CHANGES = Number(process.env.BENCH_CHANGES ?? 500);
const RATE = Number(process.env.BENCH_CHANGE_RATE ?? 10);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 300);
const ORDERS_PER_MINUTE = Number(process.env.BENCH_STOREFRONT_PER_MIN ?? 120);
const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

const { stack, config } = await benchStack();
const loadBefore = os.loadavg();
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const admin = new URL(config.databases.orders);
const tag = `cv${randomUUID().slice(0, 6)}`;
const urls = Object.fromEntries(
  DATABASES.map((db) => [db, `${admin.protocol}//${admin.username}@${admin.host}/${db}_${tag}`]),
) as DatabaseUrls;
await migrateAll(urls, { createDatabases: true });
const pools = { pim: createPool(urls.pim), store: createPool(urls.store), inventory: createPool(urls.inventory) };
await seedDemoData({ pim: pimDb(pools.pim), store: storeDb(pools.store) }, { products: PRODUCTS, seed: 9 });
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
const q = async <T = RowDataPacket>(pool: keyof typeof pools, sql: string, params: unknown[] = []) =>
  (await pools[pool].query(sql, params))[0] as T[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pickupId = `inventory-pickup/${tag}`;

try {
  // The catalogue in Shopify (products, inventory items, stock, location mappings), as a first publication does it.
  const t0 = performance.now();
  await client.workflow.execute('catalogBackfill', {
    taskQueue: `${tag}.shopify`,
    workflowId: `bench/${tag}/backfill`,
    args: [{ name: tag, filter: {} }],
  });
  const publishSeconds = (performance.now() - t0) / 1000;
  await client.workflow.start('stockPickup', { taskQueue: `${tag}.data`, workflowId: pickupId, args: [{}] });
  // Settled: the pickup has read the store's counts and every SKU's push has caught up with the ledger.
  const settleUntil = Date.now() + 300_000;
  for (let quiet = 0; quiet < 3 && Date.now() < settleUntil;) {
    await sleep(1000);
    const [lag] = await q<{ n: number; total: number }>(
      'inventory',
      'SELECT SUM(pushed_version < ledger_version) AS n, COUNT(*) AS total FROM sku_sync',
    );
    quiet = Number(lag?.total ?? 0) > 0 && Number(lag!.n) === 0 ? quiet + 1 : 0;
  }
  const settleSeconds = (performance.now() - t0) / 1000 - publishSeconds;

  // The storefront runs: grocery orders from the published catalogue, through webhooks to the order paths.
  const shopify = new ShopifyClient({
    shop: sandbox.shop,
    accessToken: sandbox.accessToken,
    adminUrl: sandbox.adminGraphqlUrl,
  });
  await syncWebhookSubscriptions(
    shopify,
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/shopify`,
    // As production subscribes for stock: the order, and where Shopify routed it (its reservation moves there).
    ['ORDERS_CREATE', 'FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE'],
  );
  const ordersBefore = sandbox.state.orders.size;
  const costsBefore = structuredClone(Object.fromEntries(sandbox.state.operationCosts));
  const runStarted = Date.now();
  sandbox.storefront.start(ORDERS_PER_MINUTE, { refundRate: 0, highRiskRate: 0, malformedRate: 0 });

  // CHANGES distinct SKU × store pairs with stock both in the ledger and in Shopify.
  const locationOf = new Map(
    (
      await q<{ store_code: string; shopify_location_id: string }>(
        'pim',
        'SELECT store_code, shopify_location_id FROM location_mappings WHERE active = TRUE',
      )
    ).map((r) => [r.store_code, r.shopify_location_id]),
  );
  const itemOf = new Map([...sandbox.state.inventoryItems.values()].map((i) => [i.sku ?? '', i]));
  const onHand = (sku: string, code: string) => itemOf.get(sku)?.levels.get(locationOf.get(code)!)?.get('on_hand');
  const candidates = (
    await q<{ sku: string; location: string }>(
      'inventory',
      'SELECT sku, location FROM stock_levels WHERE on_hand - reserved >= 3 ORDER BY sku, location',
    )
  ).filter((c) => locationOf.has(c.location) && (onHand(c.sku, c.location) ?? 0) >= 3);
  // Spread over the catalogue (every k-th pair), deterministic; the pairs between are spares (below).
  const step = Math.max(1, Math.floor(candidates.length / CHANGES));
  const planned = candidates.filter((_, i) => i % step === 0).slice(0, CHANGES);
  const spares = candidates.filter((_, i) => i % step !== 0);
  if (planned.length < CHANGES) console.warn(`only ${planned.length} SKU × store pairs with stock; measuring those`);
  // A sale is visible only where Shopify still offers a unit: where the storefront has meanwhile taken all but one
  // (available < 2), Shopify's on_hand is what its orders committed and stays there (the push never offers below
  // 0), so the sale goes to a spare pair instead, and is counted.
  const available = (sku: string, code: string) =>
    itemOf.get(sku)?.levels.get(locationOf.get(code)!)?.get('available') ?? 0;
  let replaced = 0;
  const pairs: typeof planned = [];
  const [maxRow] = await q<{ m: number }>('store', 'SELECT COALESCE(MAX(id), 0) AS m FROM pos_sales');
  let saleId = Number(maxRow!.m) + 1000;

  const pending = new Map<number, { sku: string; code: string; before: number; at: number }>();
  const latencies: number[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const now = Date.now();
      for (const [i, p] of pending)
        if ((onHand(p.sku, p.code) ?? p.before) < p.before) {
          latencies.push(now - p.at);
          pending.delete(i);
        }
      await sleep(10);
    }
  })();
  const started = Date.now();
  for (let i = 0; i < planned.length; i++) {
    const wait = started + (i * 1000) / RATE - Date.now();
    if (wait > 0) await sleep(wait);
    let pair = planned[i]!;
    while (available(pair.sku, pair.location) < 2 && spares.length) {
      pair = spares.shift()!;
      replaced++;
    }
    pairs.push(pair);
    const { sku, location: code } = pair;
    const before = onHand(sku, code)!;
    await pools.store.query(
      'INSERT INTO pos_sales (id, store_code, sku, quantity, amount, sold_at) VALUES (?, ?, ?, 1, ?, ?)',
      [saleId++, code, sku, '1.00', new Date()],
    );
    pending.set(i, { sku, code, before, at: Date.now() });
  }
  const deadline = Date.now() + 120_000;
  while (pending.size && Date.now() < deadline) await sleep(100);
  watching = false;
  await watcher;
  sandbox.storefront.stop();
  const runSeconds = (Date.now() - runStarted) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  // What spent Shopify's bucket while the storefront ran (the sandbox's cost report), per operation.
  const spent = Object.entries(Object.fromEntries(sandbox.state.operationCosts))
    .map(([operation, c]) => {
      const b = costsBefore[operation] ?? { requests: 0, requested: 0, actual: 0 };
      return { operation, requests: c.requests - b.requests, points: c.actual - b.actual };
    })
    .filter((c) => c.requests > 0)
    .sort((a, b) => b.points - a.points);
  const routing = spent.filter((c) => /^fulfillmentOrder/.test(c.operation));
  const ordersPlaced = sandbox.state.orders.size - ordersBefore;
  // The changes never seen: what the ledger and Shopify hold there now (an offer that fell to 0 cannot drop).
  const unseen = [];
  let offerZero = 0;
  for (const p of pending.values()) {
    const [level] = await q<{ on_hand: number; reserved: number }>(
      'inventory',
      'SELECT on_hand, reserved FROM stock_levels WHERE sku = ? AND location = ?',
      [p.sku, p.code],
    );
    const shop = itemOf.get(p.sku)?.levels.get(locationOf.get(p.code)!);
    if (level && level.on_hand - level.reserved <= 0) offerZero++;
    if (unseen.length < 20)
      unseen.push({
        sku: p.sku,
        store: p.code,
        // The ledger offers nothing there any more (the sale took units the storefront had reserved): Shopify's
        // on_hand stays at what its orders committed, so this change could not become visible.
        offerZero: !!level && level.on_hand - level.reserved <= 0,
        ledger: level,
        shopify: { onHand: shop?.get('on_hand'), committed: shop?.get('committed'), available: shop?.get('available') },
      });
  }
  writeResult('inventory-change-visible', {
    commit,
    load: { before: loadBefore.map((l) => +l.toFixed(2)), after: os.loadavg().map((l) => +l.toFixed(2)) },
    changes: pairs.length,
    // Planned pairs Shopify no longer offered (available < 2) at the sale's time, replaced by a spare pair.
    replacedPairs: replaced,
    ratePerSecond: RATE,
    visible: sorted.length,
    notVisibleIn120s: pending.size,
    // Of those, where the ledger offers nothing any more (see offerZero below): not a push behind.
    notVisibleOfferZero: offerZero,
    notVisibleSample: unseen,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1),
    storefront: {
      ordersPerMinute: ORDERS_PER_MINUTE,
      ordersPlacedDuringRun: ordersPlaced,
    },
    shopifyCost: {
      seconds: +runSeconds.toFixed(1),
      pointsPerSecond: +(spent.reduce((n, c) => n + c.points, 0) / runSeconds).toFixed(1),
      restorePerSecond: 1000,
      // The routing webhooks' reads (fulfillmentOrdersRouting<n>, fulfillmentOrderLineItems) per order placed.
      routingPointsPerOrder: ordersPlaced
        ? +(routing.reduce((n, c) => n + c.points, 0) / ordersPlaced).toFixed(1)
        : null,
      routingRequestsPerOrder: ordersPlaced
        ? +(routing.reduce((n, c) => n + c.requests, 0) / ordersPlaced).toFixed(2)
        : null,
      byOperation: spent,
    },
    catalogue: {
      products: PRODUCTS,
      skus: itemOf.size,
      mappedLocations: locationOf.size,
      publishSeconds: +publishSeconds.toFixed(1),
      settleSeconds: +settleSeconds.toFixed(1),
    },
    path: 'store DB pos_sales INSERT → inventory-pickup → ledger → inventory-push/<queue> (batched) → inventorySetQuantities (sandbox)',
    target: { p95Ms: '< 2000' },
  });
} finally {
  sandbox.storefront.stop();
  await client.workflow
    .getHandle(pickupId)
    .terminate('bench over')
    .catch(() => undefined);
  server.closeAllConnections();
  server.close();
  await Promise.all(Object.values(pools).map((p) => p.end()));
  await worker.kill();
  await sandbox.close();
  s3.destroy();
  dynamo.destroy();
  await connection.close();
  await stack.stop();
}
