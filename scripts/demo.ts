import { createPool, pimDb, storeDb } from '../db/client';
import { isDemoDataPresent, seedDemoData } from '../db/seed';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../workers/config';
import { syncWebhookSubscriptions } from '../connectors/shopify';
import { createDynamoClient } from '../lake/dynamo-tables';
import { createS3Client } from '../lake/s3';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sql } from 'drizzle-orm';
import { customersCsv } from '../lake/demo/customers-csv';
import { loyaltyCsv } from '../lake/demo/loyalty-csv';
import { incomingKey } from '../lake/layout';
import { catalogBackfillRun, catalogSyncRun } from '../domain/catalog/run-summaries';
import { loyaltyStoreExportRun } from '../domain/loyalty/run-summaries';
import { outboxRelayRun, scanIncomingRun } from '../domain/platform/run-summaries';
import { stockPickupRun } from '../domain/inventory/run-summaries';
import { ordersBackfillRun } from '../domain/orders/run-summaries';
import { amazonOrdersRun, channelsLedgerWatchRun } from '../domain/channels/run-summaries';
import type { RunSummary } from '../domain/platform/run-summary';
import { createWebhookServer, WEBHOOK_PATH } from '../workers/webhooks-http';
import { createShopifyClient } from '../workers/shopify-client';

/** Seeds the demo grocery chain if the PIM is empty; returns a line for the ready banner. */
export async function prepareDemo(
  config: Config,
  products = Number(process.env.DEMO_PRODUCTS ?? 2000),
): Promise<string> {
  const pimPool = createPool(config.databases.pim, 4);
  const storePool = createPool(config.databases.store, 4);
  try {
    const pim = pimDb(pimPool);
    if (await isDemoDataPresent(pim)) return 'already present (delete .local/ to start over)';
    const summary = await seedDemoData({ pim, store: storeDb(storePool) }, { products });
    return `seeded ${summary.products} products, ${summary.variants} variants, ${summary.stores} stores, ${summary.stockRows} stock rows`;
  } finally {
    await Promise.all([pimPool.end(), storePool.end()]);
  }
}

/**
 * What the in-store systems would drop for the file pipelines, once per fresh data set: a customers export and a
 * loyalty export in incoming/ (each with a sprinkling of bad rows, to be quarantined), and the busiest day of the
 * seeded store DB loyalty_transactions, for the store export. Returns that day.
 */
export async function prepareDemoFiles(config: Config): Promise<{ files: string[]; loyaltyDay: string | null }> {
  const s3 = createS3Client(config.aws);
  const storePool = createPool(config.databases.store, 1);
  try {
    const files = [
      { key: incomingKey('customers', 'demo-customers.csv'), body: customersCsv({ rows: 5000, seed: 2026 }) },
      { key: incomingKey('loyalty', 'demo-loyalty.csv'), body: loyaltyCsv({ rows: 200_000, seed: 2026 }) },
    ];
    for (const f of files)
      await s3.send(
        new PutObjectCommand({
          Bucket: config.aws.buckets.archive,
          Key: f.key,
          Body: [...f.body].join(''),
          ContentType: 'text/csv',
        }),
      );
    const [rows] = await storeDb(storePool).execute(
      sql`SELECT DATE_FORMAT(occurred_at, '%Y-%m-%d') AS day FROM loyalty_transactions
          GROUP BY day ORDER BY count(*) DESC, day LIMIT 1`,
    );
    const day = (rows as unknown as { day: string }[])[0]?.day ?? null;
    return { files: files.map((f) => f.key), loyaltyDay: day };
  } finally {
    s3.destroy();
    await storePool.end();
  }
}

/**
 * The pipelines of the demo: the outbox relay (PIM edits → Shopify) and a one-off backfill publishing the seeded
 * catalogue to the sandbox; on a fresh data set also the file pipelines (a scan of incoming/ for the demo exports,
 * the store DB loyalty export of one day). Starting an already-running one is a no-op.
 */
export async function startDemoPipelines(
  client: Client,
  opts: {
    freshSandbox: boolean;
    loyaltyDay?: string | null;
    scanIncoming?: boolean;
    /** The demo shop's order history window: read by a bulk history run (orders-backfill). */
    ordersHistory?: { shop: string; from: string; to: string };
  },
): Promise<string[]> {
  const start = async (
    workflowType: string,
    workflowId: string,
    args: unknown[],
    summary: RunSummary,
    taskQueue = 'shopify',
  ) => {
    try {
      await client.workflow.start(workflowType, { taskQueue, workflowId, args, ...summary });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return workflowId;
  };
  const demoBackfill = { name: 'demo', filter: {} };
  const scan = { domains: ['customers', 'loyalty'] };
  const started = await Promise.all([
    start('outboxRelay', 'outbox-relay', [{}], outboxRelayRun(), 'data'),
    // POS sales and stock counts → the stock ledger within seconds (and its pushes to Shopify).
    start('stockPickup', 'inventory-pickup', [{}], stockPickupRun(), 'data'),
    // Ledger changes → the Amazon channels, and Amazon orders → ledger reservations (idle without AMAZON_SELLER_ID).
    start('channelsLedgerWatch', 'channels-ledger-watch', [{}], channelsLedgerWatchRun(), 'data'),
    start('amazonOrders', 'amazon-orders', [{}], amazonOrdersRun(), 'amazon'),
    start('catalogBackfill', 'catalog-backfill/demo', [demoBackfill], catalogBackfillRun(demoBackfill)),
  ]);
  // The sandbox keeps its shop in memory: after a restart the catalogue sync finds the products Shopify
  // "lost" and publishes them again, as it would for a real shop.
  if (opts.freshSandbox)
    started.push(await start('catalogSync', `catalog-sync/startup-${Date.now()}`, [{}], catalogSyncRun()));
  if (opts.ordersHistory) {
    const { shop, ...window } = opts.ordersHistory;
    started.push(
      await start(
        'ordersBackfill',
        `orders-backfill/${shop}/${window.from}_${window.to}`,
        [window],
        ordersBackfillRun(shop, window),
      ),
    );
  }
  if (opts.scanIncoming)
    started.push(await start('scanIncomingFiles', 'scan-incoming/demo', [scan], scanIncomingRun(scan), 'data'));
  if (opts.loyaltyDay)
    started.push(
      await start(
        'loyaltyStoreExport',
        `loyalty-store-export/${opts.loyaltyDay}`,
        [{ day: opts.loyaltyDay }],
        loyaltyStoreExportRun({ day: opts.loyaltyDay }),
        'data',
      ),
    );
  return started;
}

/** The webhook receiver on WEBHOOK_PORT, subscribed to the shop's order topics. */
export async function startWebhookReceiver(
  config: Config,
  client: Client,
): Promise<{ url: string; topics: string[]; stop(): Promise<void> }> {
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const server = createWebhookServer({
    secret: config.shopify.webhookSecret,
    shop: config.shopify.shop,
    s3,
    archiveBucket: config.aws.buckets.archive,
    dynamo,
    tablePrefix: config.aws.tablePrefix,
    temporal: client,
    taskQueue: 'shopify',
    maxBodyBytes: config.webhookReceiver.maxBodyBytes,
  });
  const { host } = config.webhookReceiver;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.ports.webhook, host, resolve);
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.ports.webhook}${WEBHOOK_PATH}`;
  const shopify = createShopifyClient(config, dynamo);
  // A real shop delivers only to https (WEBHOOK_PUBLIC_URL, behind a load balancer or tunnel); the local receiver's
  // http URL is accepted only by a sandbox started with allowHttpLoopbackWebhooks, as `npm start` does.
  const publicUrl = config.webhookReceiver.publicUrl ?? url;
  const subscribed = await syncWebhookSubscriptions(shopify, publicUrl, [
    'ORDERS_CREATE',
    'ORDERS_UPDATED',
    'ORDERS_RISK_ASSESSMENT_CHANGED',
    // Where each order's lines will be fulfilled from, and where they are moved: reservations follow (orderRouting).
    'FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE',
    'FULFILLMENT_ORDERS_MOVED',
  ]);
  return {
    url,
    topics: subscribed.map((s) => s.topic),
    stop: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections(); // the sandbox's keep-alive webhook deliveries would hold close() open
      await closed;
      s3.destroy();
      dynamo.destroy();
    },
  };
}
