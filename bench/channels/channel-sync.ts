import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { RowDataPacket } from 'mysql2/promise';
import { listingsStore } from '../../activities/channels/listings-store';
import { createLedger } from '../../activities/inventory/ledger';
import { saveRules } from '../../activities/channels/rules-store';
import { LISTINGS_FEED_MAX_MESSAGES } from '../../connectors/amazon';
import { channelsDb, createPool } from '../../db/client';
import { DATABASES, createDatabase, migrateAll, type DatabaseUrls } from '../../db/migrate';
import { allocate } from '../../domain/channels/allocation';
import type { Channel } from '../../domain/channels/channels';
import { parseRuleSet, rulesFor } from '../../domain/channels/rules';
import { createDynamoClient, ensureTables } from '../../lake/dynamo-tables';
import { createS3Client } from '../../lake/s3';
import { DEFAULT_CONFIG, startAmazonSandbox } from '../../sandbox/amazon';
import { startShopifySandbox } from '../../sandbox/shopify';
import { PLANS } from '../../sandbox/shopify/throttle';
import { startChildWorker } from '../../test/support/child-worker';
import { benchStack, peakRssMiB, percentile, writeResult } from '../support/env';
import { publishedCatalog } from '../support/sandbox-shop';

// Issue 13's channel benchmarks, one run on one stack, the production worker (every queue) in a child process:
//  a. a stock change (a store count of one SKU) → Shopify's quantity set, the Seller Central patch ACCEPTED and the
//     Vendor Central transaction submitted; p50/p95 over CHANGES changes at RATE per second.
//  b. a full re-sync: a count of every SKU at once (a new population) → all three channels at the new allocation
//     (Shopify set, the feed DONE with the SKU accepted, the VDF transaction Success), as a ratio to the least time
//     the channels' published limits allow.
//  c. the worker's peak RSS (VmHWM) over both.
// The sandboxes run with their documented defaults (rate limits from amazon-rate-limits.json, Shopify Plus).
// Run: npx tsx bench/channels/channel-sync.ts   (BENCH_SKUS=2000 BENCH_CHANGES=100 for a quick run)
const N = Number(process.env.BENCH_SKUS ?? 10_000);
const CHANGES = Math.min(N, Number(process.env.BENCH_CHANGES ?? 500));
const RATE = Number(process.env.BENCH_CHANGE_RATE ?? 2);
const STORE = 'C';
const FIRST = 60;
const CHANGED = 40;
const FULL = 45;
const RULES = {
  channels: {
    shopify: { percent: 50, priority: 1 },
    amazon: { percent: 30, priority: 2 },
    'amazon-vendor': { percent: 20, priority: 3 },
  },
};
const SET_BATCH = 250; // quantities per inventorySetQuantities call (the project's batch; Shopify states no cap)
const MUTATION_POINTS = 10;
/** The sandbox's bulk operation rate (its default, set here so the bound reads the configured figure). */
const BULK_ROWS_PER_SECOND = 20_000;
const WORKER_HEAP_MIB = Number(process.env.BENCH_WORKER_HEAP_MIB ?? 256);

const commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const load = () => os.loadavg().map((l) => Math.round(l * 10) / 10);
const loadAtStart = load();
const { stack, config } = await benchStack();
const tag = `ch${randomUUID().slice(0, 6)}`;
const admin = new URL(config.databases.pim);
const urls = Object.fromEntries(
  DATABASES.map((db) => [db, `${admin.protocol}//${admin.username}@${admin.host}/${db}_${tag}`]),
) as DatabaseUrls;
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const sku = (i: number) => `CHB-${String(i + 1).padStart(6, '0')}-1`;
const skus = Array.from({ length: N }, (_, i) => sku(i));
const set = parseRuleSet(RULES);
const alloc = (onHand: number, c: Channel) => allocate(onHand, rulesFor(set, skus[0]!)).get(c) ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const url of Object.values(urls)) await createDatabase(url);
await migrateAll(urls);
const pools = {
  pim: createPool(urls.pim),
  store: createPool(urls.store),
  inventory: createPool(urls.inventory),
  channels: createPool(urls.channels),
};
const shop = await startShopifySandbox({
  plan: 'plus',
  shop: `${tag}.myshopify.com`,
  bulkRowsPerSecond: BULK_ROWS_PER_SECOND,
});
const amz = await startAmazonSandbox({
  port: 0,
  catalog: skus.map((s) => ({ sku: s, productType: 'PRODUCT', quantity: alloc(FIRST, 'amazon') })),
});
const dynamo = createDynamoClient(config.aws);
const tablePrefix = `bench-${tag}-`;
await ensureTables(dynamo, tablePrefix);
const { inventoryItemIds, locationIds } = await publishedCatalog(shop, pools.pim, {
  skus,
  stores: [STORE],
  onHand: () => alloc(FIRST, 'shopify'),
});
const itemOf = new Map(skus.map((s, i) => [s, inventoryItemIds[i]!]));
const insert = async (pool: typeof pools.store, sql: string, rows: unknown[][]) => {
  for (let i = 0; i < rows.length; i += 5000) await pool.query(sql, [rows.slice(i, i + 5000)]);
};
await pools.store.query('INSERT INTO stores (code, name) VALUES (?, ?)', [STORE, 'Carlton']);
await saveRules(channelsDb(pools.channels), RULES, 'bench');
await listingsStore(pools.channels).enroll('amazon', skus, 'PRODUCT');
await listingsStore(pools.channels).enroll('amazon-vendor', skus, null);

// The settled start (the fixture, not measured): the store counted FIRST of every SKU an hour ago, the ledger has
// that count under the pickup's own key (so the pickup reads it as a duplicate), and every channel already offers
// its allocation of it: Shopify's level, Seller Central's listing, Vendor Central's inventory, our listing rows.
const counted = new Date(Date.now() - 3_600_000);
counted.setMilliseconds(0);
await insert(
  pools.store,
  'INSERT INTO stock (store_code, sku, on_hand, updated_at) VALUES ?',
  skus.map((s) => [STORE, s, FIRST, counted]),
);
const s3 = createS3Client(config.aws);
const ledger = createLedger({ ...pools, s3, quarantineBucket: config.aws.buckets.quarantine });
for (let i = 0; i < N; i += 2000)
  await ledger.applyMovements(
    skus.slice(i, i + 2000).map((s) => ({
      key: `count/${STORE}/${s}/${counted.toISOString()}/${FIRST}`,
      kind: 'count' as const,
      sku: s,
      location: STORE,
      quantity: FIRST,
      occurredAt: counted.toISOString(),
    })),
    { source: 'bench' },
  );
amz.state.vendorInventory.set(amz.config.warehouses[0]!, new Map(skus.map((s) => [s, alloc(FIRST, 'amazon-vendor')])));
for (const c of ['amazon', 'amazon-vendor'] as const)
  await pools.channels.query(
    "UPDATE channel_listings SET allocated = ?, sent = ?, confirmed = ?, status = 'accepted', rule_version = 1, " +
      'sent_at = ?, confirmed_at = ? WHERE channel = ?',
    [alloc(FIRST, c), alloc(FIRST, c), alloc(FIRST, c), counted, counted, c],
  );

const env = {
  ...amz.env(),
  PIM_DATABASE_URL: urls.pim,
  STORE_DATABASE_URL: urls.store,
  ORDERS_DATABASE_URL: urls.orders,
  INVENTORY_DATABASE_URL: urls.inventory,
  CHANNELS_DATABASE_URL: urls.channels,
  EXTRACTION_DATABASE_URL: urls.extraction,
  SHOPIFY_SHOP: shop.shop,
  SHOPIFY_ACCESS_TOKEN: shop.accessToken,
  SHOPIFY_WEBHOOK_SECRET: shop.webhookSecret,
  SHOPIFY_ADMIN_URL: shop.adminGraphqlUrl,
  DYNAMODB_TABLE_PREFIX: tablePrefix,
  AMAZON_FULFILMENT_LOCATION: STORE,
  CHILD_WORKER_QUEUES: 'shopify,data,amazon',
  // A bounded heap, as the README asks of production workers (and the other benchmarks use).
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${WORKER_HEAP_MIB}`,
};
const worker = await startChildWorker(tag, env);
const pid = worker.child.pid!;
let rssMax = 0;
const rssTimer = setInterval(() => {
  try {
    rssMax = Math.max(rssMax, peakRssMiB(pid));
  } catch {
    /* exited */
  }
}, 1000);

/** What Shopify offers at the store (the sandbox's own level), what Seller/Vendor Central took (our DB rows). */
const shopAvailable = (s: string) =>
  shop.state.inventoryItems.get(itemOf.get(s)!)?.levels.get(locationIds[0]!)?.get('available') ?? null;
async function listingRows(channel: Channel, list: string[]) {
  const out = new Map<string, RowDataPacket>();
  for (let i = 0; i < list.length; i += 5000) {
    const [rows] = await pools.channels.query<RowDataPacket[]>(
      'SELECT sku, allocated, sent, confirmed, status, sent_at, confirmed_at FROM channel_listings WHERE channel = ? AND sku IN (?)',
      [channel, list.slice(i, i + 5000)],
    );
    for (const r of rows) out.set(r.sku as string, r);
  }
  return out;
}
// Shopify is set to the ledger's offer for it: all of available_to_sell, or its allocation once the push is capped.
const shopifyAt = (s: string, onHand: number) => {
  const a = shopAvailable(s);
  return a === onHand || a === alloc(onHand, 'shopify');
};

/** A count of `list` at `onHand`, then the time until every channel took it (per channel, ms from the commit). */
async function fullSync(list: string[], onHand: number, timeoutMs: number) {
  await insert(
    pools.store,
    'INSERT INTO stock (store_code, sku, on_hand) VALUES ? ON DUPLICATE KEY UPDATE on_hand = VALUES(on_hand)',
    list.map((s) => [STORE, s, onHand]),
  );
  const t0 = Date.now();
  const done: Partial<Record<Channel, number>> = {};
  const deadline = t0 + timeoutMs;
  let report = t0 + 10_000;
  let lastLeft: Record<string, number> = {};
  let ledgerMs: number | undefined;
  while (Object.keys(done).length < 3 && Date.now() < deadline) {
    const left: Record<string, number> = {};
    // When the ledger holds the count of every SKU (what the channels start from).
    if (ledgerMs === undefined) {
      const [[r]] = await pools.inventory.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM stock_levels WHERE location = ? AND on_hand = ?',
        [STORE, onHand],
      );
      if (Number(r!.n) >= list.length) ledgerMs = Date.now() - t0;
    }
    left.shopify = list.filter((s) => !shopifyAt(s, onHand)).length;
    if (!done.shopify && !left.shopify) done.shopify = Date.now() - t0;
    for (const c of ['amazon', 'amazon-vendor'] as const) {
      if (done[c]) continue;
      const rows = await listingRows(c, list);
      const want = alloc(onHand, c);
      left[c] = list.filter((s) => !(rows.get(s)?.status === 'accepted' && rows.get(s)?.confirmed === want)).length;
      if (!left[c]) done[c] = Date.now() - t0;
    }
    lastLeft = left;
    if (Date.now() > report) {
      console.log(`[bench] ${Math.round((Date.now() - t0) / 1000)} s: left ${JSON.stringify(left)}, load ${load()}`);
      report += 10_000;
    }
    await sleep(250);
  }
  const fromLedgerMs = Object.fromEntries(
    Object.entries(done).map(([c, ms]) => [c, ledgerMs === undefined ? null : ms - ledgerMs]),
  );
  return {
    wallMs: Object.keys(done).length === 3 ? Math.max(...Object.values(done)) : Date.now() - t0,
    perChannelMs: done,
    ledgerMs,
    fromLedgerMs,
    complete: Object.keys(done).length === 3,
    left: lastLeft,
  };
}

try {
  await client.workflow.start('stockPickup', {
    taskQueue: `${tag}.data`,
    workflowId: `inventory-pickup/${tag}.data`,
    args: [{}],
  });
  await client.workflow.start('channelsLedgerWatch', {
    taskQueue: `${tag}.data`,
    workflowId: `channels-ledger-watch/${tag}.data`,
    args: [{}],
  });

  // The watch's first pass reads every SKU the fixture counted and the channels find nothing to send.
  await sleep(30_000);

  // (a) CHANGES single-SKU counts at RATE per second, each a distinct SKU.
  console.log(`[bench] ${CHANGES} changes at ${RATE}/s …`);
  const loadA = load();
  const changed = skus.slice(0, CHANGES);
  const at = new Map<string, number>();
  const seen = new Map<string, Partial<Record<Channel, number>>>();
  const started = Date.now();
  const writer = (async () => {
    for (let i = 0; i < changed.length; i++) {
      const wait = started + (i * 1000) / RATE - Date.now();
      if (wait > 0) await sleep(wait);
      await pools.store.query('UPDATE stock SET on_hand = ? WHERE store_code = ? AND sku = ?', [
        CHANGED,
        STORE,
        changed[i],
      ]);
      at.set(changed[i]!, Date.now());
    }
  })();
  const deadline = started + (CHANGES / RATE) * 1000 + 300_000;
  let writing = true;
  void writer.then(() => (writing = false));
  while ((writing || [...at.keys()].some((s) => Object.keys(seen.get(s) ?? {}).length < 3)) && Date.now() < deadline) {
    const open = [...at.keys()].filter((s) => Object.keys(seen.get(s) ?? {}).length < 3);
    const sc = await listingRows('amazon', open);
    const vc = await listingRows('amazon-vendor', open);
    const now = Date.now();
    for (const s of open) {
      const got = seen.get(s) ?? {};
      seen.set(s, got);
      if (!got.shopify && shopifyAt(s, CHANGED)) got.shopify = now;
      const a = sc.get(s);
      // The ACCEPTED reply's moment is confirmed_at (the worker's UTC clock, this machine).
      if (!got.amazon && a?.confirmed === alloc(CHANGED, 'amazon') && a.confirmed_at)
        got.amazon = new Date(a.confirmed_at as Date).getTime();
      const v = vc.get(s);
      if (!got['amazon-vendor'] && v?.sent === alloc(CHANGED, 'amazon-vendor') && v.sent_at)
        got['amazon-vendor'] = new Date(v.sent_at as Date).getTime();
    }
    await sleep(100);
  }
  await writer;
  const latencies = changed
    .map((s) => {
      const g = seen.get(s) ?? {};
      return Object.keys(g).length === 3 ? Math.max(...Object.values(g)) - at.get(s)! : null;
    })
    .filter((x): x is number => x !== null)
    .sort((x, y) => x - y);
  const perChannel = (c: Channel) =>
    changed
      .map((s) => (seen.get(s)?.[c] ?? NaN) - at.get(s)!)
      .filter(Number.isFinite)
      .sort((x, y) => x - y);
  const p = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.at(-1) });
  const resultA = {
    commit,
    changes: CHANGES,
    completed: latencies.length,
    ratePerSecond: RATE,
    skusInCatalogue: N,
    latencyMs: p(latencies),
    perChannelMs: {
      shopify: p(perChannel('shopify')),
      amazon: p(perChannel('amazon')),
      'amazon-vendor': p(perChannel('amazon-vendor')),
    },
    target: { p95Ms: '< 5000' },
    loadAverage: { start: loadAtStart, phase: loadA, end: load() },
    peakWorkerRssMiB: Math.max(rssMax, peakRssMiB(pid)),
    workerHeapMiB: WORKER_HEAP_MIB,
    note:
      'one store count per change (on_hand 60 → 40 on a distinct SKU), written to the store DB; done when Shopify ' +
      'offers it (sandbox level), the Seller Central patch is ACCEPTED (confirmed_at) and the VDF transaction is ' +
      'submitted (sent_at); latency = the last of the three minus the commit. Sandboxes at their defaults.',
  };
  console.log(`[bench] changes: ${JSON.stringify(resultA.latencyMs)}`);

  // (b) every SKU counted at once.
  console.log(`[bench] full re-sync of ${N} SKUs …`);
  const loadB = load();
  const fullStart = new Date();
  const full = await fullSync(skus, FULL, Number(process.env.BENCH_FULL_TIMEOUT_MS ?? 900_000));
  const [subs] = await pools.channels.query<RowDataPacket[]>(
    'SELECT channel, kind, items, status, created_at, finished_at FROM channel_submissions WHERE created_at >= ? ORDER BY created_at',
    [fullStart],
  );
  const since = (d: Date | null) => (d ? new Date(d).getTime() - fullStart.getTime() : null);
  const submissions = subs.map((x) => ({
    channel: x.channel,
    kind: x.kind,
    items: x.items,
    status: x.status,
    submittedMs: since(x.created_at),
    finishedMs: since(x.finished_at),
  }));
  // Seller Central's sync during the re-sync: each activity it scheduled and each signal it took, in seconds from the
  // count (where the time between the slices' feeds goes: the reads, a new round, planning).
  const sellerCentralSteps: string[] = [];
  for await (const w of client.workflow.list({ query: "WorkflowType = 'channelSync'" })) {
    if (!/^channel-sync\/amazon(@|$)/.test(w.workflowId)) continue;
    const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    for (const e of history.events ?? []) {
      const at = e.eventTime?.seconds ? Number(e.eventTime.seconds) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : 0;
      const ms = at - fullStart.getTime();
      if (ms < 0) continue;
      const name =
        e.activityTaskScheduledEventAttributes?.activityType?.name ??
        (e.workflowExecutionSignaledEventAttributes
          ? `signal ${e.workflowExecutionSignaledEventAttributes.signalName}`
          : null);
      if (name) sellerCentralSteps.push(`${(ms / 1000).toFixed(1)} s ${name}`);
    }
  }
  // The least time the published limits allow, per channel (the channels run side by side: the bound is the
  // largest), every figure read from amazon-rate-limits.json and the sandbox's documented processing times:
  //  - Seller Central: ceil(N / 25,000) feeds (listings-feed-schema-v2's message limit). Each costs one
  //    createFeedDocument, one createFeed and, for its report, one getFeedDocument: the wait is what those counts
  //    need beyond each operation's burst. Then the feed's processing (queue + process + per message). Before the
  //    feed, the listings' current quantities: ceil(N / 20) searchListingsItems (20 SKUs a call, the model's page
  //    limit) at 5/s after a burst of 5. No correct design skips them: a feed sets absolute quantities, so the units
  //    of Amazon orders we have not read must be held back, and only the listing shows them at once. The orders
  //    API cannot stand in: Amazon documents that "most updated orders data are available two minutes after an
  //    order is created or last updated" (developer-docs.amazon.com/sp-api/docs/get-orders-with-filtering-criteria;
  //    the 2026-01-01 model: a `…Before` "at least two minutes before the time of the request"), and searchOrders
  //    allows one call per 180 s once its burst is spent. So the bound includes the reads; `feedOnly` is without.
  //  - Vendor Central: the model caps no item count, so one submitInventoryUpdate per warehouse (inside its burst)
  //    and the transaction's processing.
  //  - Shopify: the writes are compare-and-set, so the levels are read first: one bulk query (its rows at the
  //    sandbox's bulk rate), then ceil(N / 250) inventorySetQuantities of 10 points from a full Plus bucket.
  const feeds = Math.ceil(N / LISTINGS_FEED_MAX_MESSAGES);
  const c = amz.config;
  const rateWait = (calls: number, rate: number, burst: number) => Math.max(0, (calls - burst) / rate) * 1000;
  const limits = JSON.parse(
    fs.readFileSync(
      path.join(
        process.env.AMAZON_MODELS_DIR ?? path.resolve(import.meta.dirname, '../../../shared/amazon'),
        'amazon-rate-limits.json',
      ),
      'utf8',
    ),
  ) as Record<string, { rate: number; burst: number }>;
  const plan = (op: string) => Object.entries(limits).find(([k]) => k.startsWith(`${op}@`))![1];
  const waitFor = (op: string, calls: number) => rateWait(calls, plan(op).rate, plan(op).burst);
  const feedProcessing = c.feedQueueMs + c.feedProcessMs + c.feedPerMessageMs * N;
  const sellerBound =
    Math.max(waitFor('createFeedDocument', feeds), waitFor('createFeed', feeds), waitFor('getFeedDocument', feeds)) +
    feedProcessing;
  const listingReads = Math.ceil(N / 20);
  const readsMs =
    (listingReads / plan('searchListingsItems').rate) * 1000 -
    (plan('searchListingsItems').burst / plan('searchListingsItems').rate) * 1000;
  const sellerWithReads = Math.max(0, readsMs) + sellerBound;
  const bulkReadMs = ((N + 1) / BULK_ROWS_PER_SECOND) * 1000; // every level of the one location, and the location
  const vendorBound = waitFor('submitInventoryUpdate', c.warehouses.length) + c.transactionMs;
  const points = Math.ceil(N / SET_BATCH) * MUTATION_POINTS;
  const shopifyBound = bulkReadMs + (Math.max(0, points - PLANS.plus.maximumAvailable) / PLANS.plus.restoreRate) * 1000;
  const boundMs = Math.max(sellerWithReads, vendorBound, shopifyBound);
  const ratio = (ms: number | undefined, bound: number) =>
    ms === undefined ? null : Math.round((ms / bound) * 100) / 100;
  const resultB = {
    commit,
    skus: N,
    complete: full.complete,
    wallMs: full.wallMs,
    perChannelMs: full.perChannelMs,
    left: full.left,
    submissions,
    sellerCentralSteps: sellerCentralSteps.slice(0, 200),
    // Seller Central's feeds (a large send goes as a few slices, each read just before its own feed).
    sellerCentralFeeds: (() => {
      const f = submissions.filter((x) => x.channel === 'amazon' && x.kind === 'listings-feed');
      return {
        count: f.length,
        items: f.map((x) => x.items),
        firstSubmittedMs: f[0]?.submittedMs ?? null,
        lastSubmittedMs: f.at(-1)?.submittedMs ?? null,
        lastFinishedMs: f.length ? Math.max(...f.map((x) => x.finishedMs ?? 0)) : null,
      };
    })(),
    lowerBoundMs: {
      bound: boundMs,
      sellerCentral: sellerWithReads,
      sellerCentralFeedOnly: sellerBound,
      vendorCentral: vendorBound,
      shopify: Math.round(shopifyBound),
    },
    ratio: Math.round((full.wallMs / boundMs) * 100) / 100,
    perChannelRatio: {
      shopify: ratio(full.perChannelMs.shopify, shopifyBound),
      amazon: ratio(full.perChannelMs.amazon, sellerWithReads),
      amazonAgainstFeedOnlyBound: ratio(full.perChannelMs.amazon, sellerBound),
      'amazon-vendor': ratio(full.perChannelMs['amazon-vendor'], vendorBound),
    },
    ledgerAppliedMs: full.ledgerMs,
    perChannelFromLedgerMs: full.fromLedgerMs,
    // The same from the moment the ledger held every count (the pickup's part is no channel's limit).
    perChannelRatioFromLedger: {
      shopify: ratio(full.fromLedgerMs.shopify ?? undefined, shopifyBound),
      amazon: ratio(full.fromLedgerMs.amazon ?? undefined, sellerWithReads),
      'amazon-vendor': ratio(full.fromLedgerMs['amazon-vendor'] ?? undefined, vendorBound),
    },
    target: { ratio: '<= 1.2' },
    loadAverage: { start: loadAtStart, phase: loadB, end: load() },
    peakWorkerRssMiB: Math.max(rssMax, peakRssMiB(pid)),
    sandboxDefaults: {
      feedQueueMs: DEFAULT_CONFIG.feedQueueMs,
      feedProcessMs: DEFAULT_CONFIG.feedProcessMs,
      feedPerMessageMs: DEFAULT_CONFIG.feedPerMessageMs,
      transactionMs: DEFAULT_CONFIG.transactionMs,
      shopifyPlan: 'plus',
    },
    note:
      'a store count of every SKU (on_hand → 45) in one statement; done when Shopify offers it at the store, every ' +
      'Seller Central listing is accepted at its allocation (feed DONE) and every Vendor Central item too (Success). ' +
      'Bound (amazon-rate-limits.json): Seller Central ceil(N/20) searchListingsItems at 5/s (the pre-send read that ' +
      'holds back unread Amazon orders; Amazon order data lags ~2 min, so no orders read can replace it) plus ' +
      'ceil(N/25,000) feeds, their createFeedDocument, createFeed and report getFeedDocument calls beyond each burst, ' +
      'and the sandbox feed processing (feedOnly: without the reads); Vendor Central one call per warehouse plus the ' +
      "transaction's processing; Shopify one bulk levels read at the sandbox's bulk rate plus ceil(N/250) × 10 points " +
      'from a full Plus bucket (20,000, 1,000/s). ledgerAppliedMs: when the ledger held every count (the pickup and ' +
      'ledger, not a channel); perChannelFromLedgerMs and perChannelRatioFromLedger: each channel from then.',
  };
  writeResult('channels-change-latency', resultA);
  writeResult('channels-full-resync', resultB);
} finally {
  clearInterval(rssTimer);
  await worker.kill();
  for (const id of [`inventory-pickup/${tag}.data`, `channels-ledger-watch/${tag}.data`])
    await client.workflow
      .getHandle(id)
      .terminate('bench over')
      .catch(() => undefined);
  await shop.close();
  await amz.close();
  await Promise.all(Object.values(pools).map((p) => p.end()));
  dynamo.destroy();
  s3.destroy();
  await connection.close();
  await stack.stop();
}
