import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalStack, type LocalStack } from '../../stack/index';
import { bootstrapStack } from '../../stack/bootstrap';
import { loadConfig, type Config } from '../../workers/config';
import { WORKFLOW_BUNDLE_SOURCES } from '../../workers/workflow-bundle';

const root = path.resolve(import.meta.dirname, '../..');

/** A throwaway local stack for one benchmark run (ephemeral ports), with a workflow bundle. */
export async function benchStack(): Promise<{ stack: LocalStack; config: Config; bundlePath: string }> {
  const stack = await startLocalStack({ mode: 'test', root, env: { BACKBONE_ENV: 'test' } });
  Object.assign(process.env, stack.env, { BACKBONE_ENV: 'test', DYNAMODB_TABLE_PREFIX: 'bench-' });
  // Benchmarks pass their own sandbox's URL; the configured shop is a sandbox nothing listens on, never a real one.
  process.env.SHOPIFY_ADMIN_URL ??= 'http://127.0.0.1:9/admin/api/2026-10/graphql.json';
  const config = loadConfig(process.env);
  await bootstrapStack(config);
  const { code } = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_SOURCES,
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error },
  });
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundle-')), 'workflows.js');
  fs.writeFileSync(bundlePath, code);
  process.env.BACKBONE_WORKFLOW_BUNDLE = bundlePath;
  return { stack, config, bundlePath };
}

export function writeResult(name: string, result: Record<string, unknown>): void {
  const dir = path.join(root, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${name}.json`),
    `${JSON.stringify({ benchmark: name, machine: { cpus: os.cpus().length, node: process.version }, ...result }, null, 2)}\n`,
  );
  console.log(JSON.stringify(result, null, 2));
}

/** Peak resident set of another process (Linux VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
