import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { startLocalStack, formatStackTable, type LocalStack } from '../stack/index';
import { bootstrapStack } from '../stack/bootstrap';
import { DEFAULT_PORTS } from '../stack/ports';
import { stackEnvFile, writeStackEnv } from '../stack/env-file';
import { applySchedules } from '../cli/schedules';
import { ConfigError, loadConfig, redactConfig } from '../workers/config';
import { connectClient } from '../workers/temporal-connection';
import { preflight } from '../workers/preflight';
import { startShopifySandbox, type ShopifySandbox } from '../sandbox/shopify';
import { prepareDemo, prepareDemoFiles, startDemoPipelines, startWebhookReceiver } from './demo';
import { startOpsServer } from '../ops/server';
import { createPool } from '../db/client';

const root = path.resolve(import.meta.dirname, '..');
const lockFile = path.join(root, '.local', 'backbone.pid');

/** `npm start`: the whole system on one machine, stopped cleanly by Ctrl-C. */
async function main(): Promise<void> {
  refuseSecondInstance();
  const cleanup: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\n[start] stopping everything this command started...');
    for (const fn of cleanup.reverse()) await fn().catch((e) => console.error('[start]', (e as Error).message));
    fs.rmSync(lockFile, { force: true });
    fs.rmSync(stackEnvFile(root), { force: true });
    console.log('[start] stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    loadConfig(); // fail fast, naming every bad key, before anything starts
    console.log('[start] starting the local stack (services whose endpoint is configured are used as they are)...');
    const stack: LocalStack = await startLocalStack({ mode: 'dev', root });
    cleanup.push(() => stack.stop());
    Object.assign(process.env, stack.env);

    let sandbox: ShopifySandbox | undefined;
    if (!process.env.SHOPIFY_ADMIN_URL && process.env.BACKBONE_ENV !== 'production') {
      sandbox = await startShopifySandbox({ port: DEFAULT_PORTS.shopifySandbox, plan: 'plus' });
      cleanup.push(() => sandbox!.close());
      process.env.SHOPIFY_ADMIN_URL = sandbox.adminGraphqlUrl;
      stack.rows.push({
        service: 'Shopify sandbox (Admin API 2026-10)',
        where: sandbox.adminGraphqlUrl,
        ui: `${sandbox.url}/_sandbox/stats`,
        local: true,
      });
    }

    writeStackEnv(root, {
      ...stack.env,
      ...(sandbox ? { SHOPIFY_ADMIN_URL: sandbox.adminGraphqlUrl } : {}),
    });
    const config = loadConfig();
    await preflight(config);
    await bootstrapStack(config);
    const seeded = await prepareDemo(config);
    // Demo exports for the file pipelines, once per fresh data set (a processed file leaves incoming/).
    const demoFiles = seeded.startsWith('already') ? null : await prepareDemoFiles(config);

    const workers = startWorkers();
    cleanup.push(() => stopChild(workers));

    const connection = await connectClient(config);
    cleanup.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const schedules = await applySchedules(client);
    const pipelines = await startDemoPipelines(client, {
      freshSandbox: Boolean(sandbox) && seeded.startsWith('already'),
      scanIncoming: Boolean(demoFiles),
      loyaltyDay: demoFiles?.loyaltyDay,
    });
    const ops = await startOpsServer(
      {
        client,
        pim: createPool(config.databases.pim, 4),
        orders: createPool(config.databases.orders, 4),
        temporalUiUrl: config.temporal.uiUrl,
        benchDir: path.join(root, 'bench/results'),
      },
      config.ports.ops,
    );
    cleanup.push(() => new Promise<void>((r) => ops.close(() => r())));
    const webhooks = await startWebhookReceiver(config, client);
    cleanup.push(webhooks.stop);
    if (sandbox) {
      // The demo storefront: a grocery order every few seconds, delivered to the receiver as webhooks.
      const timer = setInterval(
        () => sandbox!.storefront.placeOrder({ highRiskRate: 0.05, malformedRate: 0.02, refundRate: 0.1 }),
        Number(process.env.DEMO_ORDER_INTERVAL_MS ?? 5000),
      );
      cleanup.push(async () => clearInterval(timer));
    }
    const health = await client.workflow.execute('healthCheck', {
      taskQueue: 'data',
      workflowId: `health-check/${new Date().toISOString()}`,
    });

    console.log(`\nCommerce Backbone is ready.\n\n${formatStackTable(stack.rows)}\n`);
    console.log(`  Temporal UI:    ${config.temporal.uiUrl ?? `http://127.0.0.1:${DEFAULT_PORTS.temporalUi}`}`);
    console.log(`  Workers:        pid ${workers.pid}, task queues ${config.taskQueues.join(', ')}`);
    console.log(`  Ops console:    http://127.0.0.1:${config.ports.ops}`);
    console.log(`  Webhooks:       ${webhooks.url} (subscribed: ${webhooks.topics.join(', ')})`);
    console.log(`  Schedules:      ${schedules.length ? schedules.join(', ') : '(none declared yet)'}`);
    console.log(`  Pipelines:      ${pipelines.join(', ')}`);
    console.log(`  Demo data:      ${seeded}`);
    if (demoFiles)
      console.log(`  Demo files:     ${demoFiles.files.join(', ')} (customers → DynamoDB, loyalty → lake Parquet)`);
    console.log(
      `  Health check:   ${(health as { ok: boolean }).ok ? 'MariaDB, S3 and DynamoDB written and read back' : 'FAILED'}`,
    );
    console.log(`  Config:         ${JSON.stringify(redactConfig(config).shopify)}`);
    console.log('\nready — press Ctrl-C to stop.');
    if (process.env.BACKBONE_EXIT_AFTER_READY === '1') await stop(0);
  } catch (err) {
    console.error(err instanceof ConfigError ? `[start] ${err.message}` : err);
    await stop(1);
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
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workers/main.ts')], {
    cwd: root,
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

await main();
