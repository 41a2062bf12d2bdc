import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { startLocalStack, formatStackTable, type LocalStack } from '../stack/index';
import { settlesWithin } from '../stack/process';
import { handleShutdown, STACK_STOP_DEADLINE_MS } from '../stack/shutdown';
import { bootstrapStack } from '../stack/bootstrap';
import { DEFAULT_PORTS } from '../stack/ports';
import { stackEnvFile, writeStackEnv } from '../stack/env-file';
import { applySchedules } from '../cli/schedules';
import { ConfigError, loadConfig, redactConfig } from '../workers/config';
import { connectClient } from '../workers/temporal-connection';
import { healthCheckRun } from '../domain/platform/run-summaries';
import { preflight } from '../workers/preflight';
import { WORKER_NODE_FLAGS } from '../workers/worker-tuning';
import { startShopifySandbox, type ShopifySandbox } from '../sandbox/shopify';
import { startLightspeedSandbox, type LightspeedSandbox } from '../sandbox/lightspeed';
import { randomBytes } from 'node:crypto';
import { startAmazonSandbox, type AmazonSandbox } from '../sandbox/amazon';
import { prepareDemo, prepareDemoFiles, startDemoPipelines, startWebhookReceiver } from './demo';
import { placeDemoHistory } from './demo-history';
import { DEMO_TRANSFER_DAYS, placeDemoTransfers } from './demo-transfers';
import { startOpsServer } from '../ops/server';
import { createPool } from '../db/client';
import { LightspeedCredentials, parseTokenKey } from '../connectors/lightspeed';
import { createS3Client } from '../lake/s3';
import { mysqlLakeLock } from '../lake/lake-lock';
import { DEMO_VENDOR_WAREHOUSES } from '../db/seed/catalog';

const root = path.resolve(import.meta.dirname, '..');
const lockFile = path.join(root, '.local', 'backbone.pid');

/** `npm start`: the whole system on one machine, stopped cleanly by Ctrl-C. */
async function main(): Promise<void> {
  refuseSecondInstance();
  const shutdown = handleShutdown({
    tag: '[start]',
    finish: () => {
      fs.rmSync(lockFile, { force: true });
      fs.rmSync(stackEnvFile(root), { force: true });
    },
  });
  // One stop step per piece (shutdown.add), each with a deadline (3 s unless given): a hung piece cannot hold
  // Ctrl-C, and a second Ctrl-C kills everything at once.
  const stop = shutdown.stop;

  try {
    // Fail fast, naming every bad key, before anything starts; without SHOPIFY_ADMIN_URL (and outside production) the
    // sandbox started below is the shop, so its URL is assumed for this first check.
    const sandboxPlanned = !process.env.SHOPIFY_ADMIN_URL && process.env.BACKBONE_ENV !== 'production';
    loadConfig({ ...process.env, ...(sandboxPlanned ? { SHOPIFY_ADMIN_URL: 'http://127.0.0.1/sandbox' } : {}) });
    console.log('[start] starting the local stack (services whose endpoint is configured are used as they are)...');
    const stack: LocalStack = await startLocalStack({ mode: 'dev', root });
    shutdown.add('local stack', () => stack.stop(), STACK_STOP_DEADLINE_MS);
    Object.assign(process.env, stack.env);

    let sandbox: ShopifySandbox | undefined;
    if (!process.env.SHOPIFY_ADMIN_URL && process.env.BACKBONE_ENV !== 'production') {
      // The local receiver is plain http on 127.0.0.1: only this dev flag lets the sandbox deliver there.
      // Its ids and order numbers continue past the last run's (Shopify never reuses an id).
      sandbox = await startShopifySandbox({
        port: DEFAULT_PORTS.shopifySandbox,
        dataDir: path.join(root, '.local', 'shopify-sandbox'),
        plan: 'plus',
        allowHttpLoopbackWebhooks: true,
      });
      shutdown.add('Shopify sandbox', () => sandbox!.close());
      process.env.SHOPIFY_ADMIN_URL = sandbox.adminGraphqlUrl;
      stack.rows.push({
        service: 'Shopify sandbox (Admin API 2026-10)',
        where: sandbox.adminGraphqlUrl,
        ui: `${sandbox.url}/_sandbox/stats`,
        local: true,
      });
    }

    let amazon: AmazonSandbox | undefined;
    if (!process.env.AMAZON_SPAPI_URL && process.env.BACKBONE_ENV !== 'production') {
      // Amazon's SP-API and Login with Amazon for the demo seller and vendor. autoCatalog: a SKU the channels
      // list becomes buyable at once (on Amazon it needs catalogue data), so the marketplace's shoppers buy it.
      amazon = await startAmazonSandbox({ port: DEFAULT_PORTS.amazonSandbox, autoCatalog: true });
      shutdown.add('Amazon sandbox', () => amazon!.close());
      Object.assign(process.env, amazon.env());
      // The sandbox names its warehouses; which demo stores each ships from is ours to say (AMAZON_VENDOR_WAREHOUSES).
      process.env.AMAZON_VENDOR_WAREHOUSES = DEMO_VENDOR_WAREHOUSES;
      amazon.marketplace.start(Number(process.env.DEMO_AMAZON_ORDERS_PER_MINUTE ?? 2));
      stack.rows.push({
        service: 'Amazon sandbox (SP-API + Login with Amazon)',
        where: amazon.url,
        ui: `${amazon.url}/_sandbox/stats`,
        local: true,
      });
    }

    let lightspeed: LightspeedSandbox | undefined;
    if (!process.env.LIGHTSPEED_ACCOUNT_ID && process.env.BACKBONE_ENV !== 'production') {
      // The demo Lightspeed account (4 shops, 120 days of sales). Each start is a new consent: its refresh token
      // replaces the stored credential (prepareLightspeedDemo below), encrypted with a key made for this run.
      lightspeed = await startLightspeedSandbox({ port: DEFAULT_PORTS.lightspeedSandbox });
      shutdown.add('Lightspeed sandbox', () => lightspeed!.close());
      Object.assign(process.env, {
        LIGHTSPEED_ACCOUNT_ID: String(lightspeed.accountID),
        LIGHTSPEED_API_URL: lightspeed.apiUrl,
        LIGHTSPEED_TOKEN_URL: lightspeed.tokenUrl,
        LIGHTSPEED_CLIENT_ID: lightspeed.clientId,
        LIGHTSPEED_CLIENT_SECRET: lightspeed.clientSecret,
        LIGHTSPEED_TOKEN_KEY: process.env.LIGHTSPEED_TOKEN_KEY ?? randomBytes(32).toString('hex'),
      });
      stack.rows.push({
        service: 'Lightspeed Retail sandbox (R-Series V3)',
        where: `${lightspeed.apiUrl}/Account/${lightspeed.accountID}`,
        ui: `${lightspeed.url}/_sandbox/stats`,
        local: true,
      });
    }

    writeStackEnv(root, {
      ...stack.env,
      ...(sandbox ? { SHOPIFY_ADMIN_URL: sandbox.adminGraphqlUrl } : {}),
      ...(amazon ? amazon.env() : {}),
    });
    const config = loadConfig();
    await preflight(config);
    await bootstrapStack(config);
    if (lightspeed) await connectLightspeedDemo(config, lightspeed.initialRefreshToken);
    const seeded = await prepareDemo(config);
    // Demo exports for the file pipelines, once per fresh data set (a processed file leaves incoming/).
    const demoFiles = seeded.startsWith('already') ? null : await prepareDemoFiles(config);

    const workers = startWorkers();
    shutdown.add('workers', () => stopChild(workers), WORKER_STOP_MS + 1000);
    shutdown.onKill(() => workers.kill('SIGKILL'));

    const connection = await connectClient(config);
    shutdown.add('Temporal client', () => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const schedules = await applySchedules(client);
    // Months of storefront history (some past the 60-day default window), placed before the receiver subscribes:
    // the demo's orders backfill brings it in by the bulk history. A restored shop keeps the history it had.
    const history =
      sandbox && !sandbox.restored
        ? placeDemoHistory(sandbox.storefront, Number(process.env.DEMO_HISTORY_ORDERS ?? 300))
        : undefined;
    const pipelines = await startDemoPipelines(client, {
      ordersHistory: history && { shop: config.shopify.shop, from: history.from, to: history.to },
      // A sandbox that could not restore its shop lost what the PIM published: the catalogue sync republishes it.
      freshSandbox: !!sandbox && !sandbox.restored && seeded.startsWith('already'),
      scanIncoming: Boolean(demoFiles),
      loyaltyDay: demoFiles?.loyaltyDay,
    });
    // The shop's inventory transfers (Stocky's successor), placed once in a new shop as soon as the catalogue publish
    // has put enough items in it, then extracted into the lake's stock.transfers. A restored shop keeps its own.
    const transfersStop = new AbortController();
    shutdown.add('demo transfers', async () => transfersStop.abort());
    if (sandbox && !sandbox.restored)
      void placeDemoTransfers(sandbox, client, { signal: transfersStop.signal })
        .then((t) => {
          if (t)
            console.log(
              `[start] demo transfers placed: ${t.transfers} transfers (${t.received} received, ${t.inTransit} in transit, ${t.canceled} canceled) from ${t.from}; ${t.workflowId} reads them into lake stock.transfers`,
            );
        })
        .catch((err: Error) => console.error(`[start] demo transfers not placed: ${err.message}`));
    const ops = await startOpsServer(
      {
        client,
        pim: createPool(config.databases.pim, 4),
        orders: createPool(config.databases.orders, 4),
        channels: createPool(config.databases.channels, 2),
        temporalUiUrl: config.temporal.uiUrl,
        benchDir: path.join(root, 'bench/results'),
        s3: createS3Client(config.aws),
        archiveBucket: config.aws.buckets.archive,
        lake: {
          s3: createS3Client(config.aws),
          bucket: config.aws.buckets.lake,
          quarantineBucket: config.aws.buckets.quarantine,
          lock: mysqlLakeLock(createPool(config.databases.extraction, 2)),
        },
      },
      config.ports.ops,
    );
    shutdown.add('ops console', () => {
      const closed = new Promise<void>((r) => ops.close(() => r()));
      ops.closeAllConnections(); // a browser's keep-alive connection would hold close() open
      return closed;
    });
    const webhooks = await startWebhookReceiver(config, client);
    shutdown.add('webhook receiver', webhooks.stop);
    if (sandbox) {
      // The demo storefront: a grocery order every few seconds, delivered to the receiver as webhooks.
      const timer = setInterval(
        () => sandbox!.storefront.placeOrder({ highRiskRate: 0.05, malformedRate: 0.02, refundRate: 0.1 }),
        Number(process.env.DEMO_ORDER_INTERVAL_MS ?? 5000),
      );
      shutdown.add('demo storefront', async () => clearInterval(timer));
    }
    const health = await client.workflow.execute('healthCheck', {
      taskQueue: 'data',
      workflowId: `health-check/${new Date().toISOString()}`,
      ...healthCheckRun(),
    });

    console.log(`\nCommerce Backbone is ready.\n\n${formatStackTable(stack.rows)}\n`);
    console.log(`  Temporal UI:    ${config.temporal.uiUrl ?? `http://127.0.0.1:${DEFAULT_PORTS.temporalUi}`}`);
    console.log(`  Workers:        pid ${workers.pid}, task queues ${config.taskQueues.join(', ')}`);
    console.log(`  Ops console:    http://127.0.0.1:${config.ports.ops}`);
    console.log(`  Webhooks:       ${webhooks.url} (subscribed: ${webhooks.topics.join(', ')})`);
    console.log(`  Schedules:      ${schedules.length ? schedules.join(', ') : '(none declared yet)'}`);
    console.log(`  Pipelines:      ${pipelines.join(', ')}`);
    console.log(`  Demo data:      ${seeded}`);
    if (history)
      console.log(
        `  Order history:  ${history.orders} storefront orders over 120 days (${history.olderThan60Days} older than 60 days) → orders-backfill`,
      );
    if (sandbox?.restored)
      console.log(
        `  Shopify shop:   restored from .local/shopify-sandbox (${sandbox.state.products.size} products, ${sandbox.state.orders.size} orders)`,
      );
    if (sandbox)
      console.log(
        sandbox.restored
          ? `  Transfers:      the restored shop keeps its ${sandbox.state.transfers.size} inventory transfers (lake stock.transfers, extracted every 15 min)`
          : `  Transfers:      ${DEMO_TRANSFER_DAYS} days of inventory transfers, placed once the catalogue is in the shop → lake stock.transfers\n` +
              `                  npm run -s backbone -- lake query "SELECT status, count(*) AS n FROM stock.transfers GROUP BY ALL"`,
      );
    if (demoFiles)
      console.log(`  Demo files:     ${demoFiles.files.join(', ')} (customers → DynamoDB, loyalty → lake Parquet)`);
    console.log(
      `  Health check:   ${(health as { ok: boolean }).ok ? 'MariaDB, S3 and DynamoDB written and read back' : 'FAILED'}`,
    );
    console.log(`  Config:         ${JSON.stringify(redactConfig(config).shopify)}`);
    console.log('\nready — press Ctrl-C to stop.');
    if (process.env.BACKBONE_EXIT_AFTER_READY === '1') await stop(0);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    if (err instanceof ConfigError) console.error(`[start] ${err.message}`);
    else if (e.code === 'EADDRINUSE')
      console.error(`[start] ${e.address}:${e.port} is in use: is another npm start running?`);
    else console.error(err);
    await stop(1);
  }
}

/** Stores the demo account's fresh consent, replacing the credential a previous run's sandbox issued. */
async function connectLightspeedDemo(config: ReturnType<typeof loadConfig>, refreshToken: string): Promise<void> {
  const pool = createPool(config.databases.extraction, 1);
  try {
    await new LightspeedCredentials({
      pool,
      accountId: config.lightspeed!.accountId,
      key: parseTokenKey(config.lightspeed!.tokenKey),
      refresh: () => Promise.reject(new Error('not used')),
    }).connect(refreshToken, { replace: true });
  } finally {
    await pool.end();
  }
}

function refuseSecondInstance(): void {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  if (fs.existsSync(lockFile)) {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (pid && isAlive(pid)) {
      console.error(
        `Commerce Backbone is already running (pid ${pid}). Stop it with Ctrl-C in its terminal or \`kill ${pid}\`.`,
      );
      process.exit(1);
    }
  }
  fs.writeFileSync(lockFile, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function startWorkers(): ChildProcess {
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'workers/main.ts')], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

// The workers drain in-flight activities for up to their shutdownGraceTime (10 s), then are killed.
const WORKER_STOP_MS = 12_000;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  if (!(await settlesWithin(exited, WORKER_STOP_MS))) child.kill('SIGKILL');
}

await main();
