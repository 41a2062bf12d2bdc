import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalStack, type LocalStack } from '../stack/index';
import { startAmazonSandbox, type AmazonSandbox } from '../sandbox/amazon';
import { bootstrapStack } from '../stack/bootstrap';
import { loadConfig } from '../workers/config';
import { WORKFLOW_BUNDLE_SOURCES } from '../workers/workflow-bundle';

const root = path.resolve(import.meta.dirname, '..');
let stack: LocalStack | undefined;
let amazon: AmazonSandbox | undefined;
const UNREACHABLE_SANDBOX_URL = 'http://127.0.0.1:9/admin/api/2026-10/graphql.json';

/**
 * Starts the real local stack once per run on ephemeral ports (unless the environment points at existing
 * services), prepares buckets, tables and databases, and bundles the workflows once for every test file.
 */
export async function setup(): Promise<void> {
  const started = Date.now();
  const inherited = { ...process.env, BACKBONE_ENV: 'test' };
  stack = await startLocalStack({ mode: 'test', root, env: inherited });
  Object.assign(process.env, stack.env, { BACKBONE_ENV: 'test', DYNAMODB_TABLE_PREFIX: 'test-' });
  // Which processes are the stack, so a test can check what they listen on.
  process.env.BACKBONE_STACK_PIDS = stack.services.map((s) => `${s.name}:${s.pid}`).join(',');
  // Each test starts its own sandbox and passes its URL; the configured shop is a sandbox no test may reach by
  // accident (nothing listens there), never a real shop.
  process.env.SHOPIFY_ADMIN_URL ??= UNREACHABLE_SANDBOX_URL;
  // Amazon: one shared sandbox for the run (AMAZON_SPAPI_URL, AMAZON_LWA_URL, … as sandbox/amazon/README.md lists),
  // unless the environment points elsewhere; a test that needs faults or a clean account starts its own.
  if (!process.env.AMAZON_SPAPI_URL) {
    amazon = await startAmazonSandbox();
    Object.assign(process.env, amazon.env());
  }
  const config = loadConfig(process.env);
  const [bundle] = await Promise.all([
    bundleWorkflowCode({ ...WORKFLOW_BUNDLE_SOURCES, logger: quietLogger }),
    bootstrapStack(config),
  ]);
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backbone-bundle-')), 'workflows.js');
  fs.writeFileSync(bundlePath, bundle.code);
  process.env.BACKBONE_WORKFLOW_BUNDLE = bundlePath;
  console.log(`[global-setup] local stack ready in ${Date.now() - started} ms`);
}

export async function teardown(): Promise<void> {
  await amazon?.close();
  await stack?.stop();
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
