import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WORKER_NODE_FLAGS } from '../../workers/worker-tuning';
import { benchStack, peakRssMiB, writeResult } from '../support/env';

// Issue 14: Lightspeed extraction of ~1,000,000 sale lines (4 shops × 2 registers, grocery baskets) from the sandbox
// (a process of its own), into the lake (lightspeed/sales, sale_lines, payments, tax_lines) through the production
// activity, the four shops at once on one account bucket, in a worker process started with a production worker's
// Node flags (lightspeed-extraction-run.ts). Measured: requests/s against what the bucket allows (its size once plus
// the drip rate over the run, both read from the sandbox), the same up to the last request, the steady-state share
// after the burst is spent, the 429 count (target: share ≥ 90 %, no 429), and the peak RSS of the worker, of this
// process and of the sandbox.
const DAYS = Number(process.env.BENCH_DAYS ?? 50);
const SALES_PER_SHOP_DAY = Number(process.env.BENCH_SALES_PER_SHOP_DAY ?? 100);
const SHOPS = 4;
// `lake`: the production activity into the lake; `connector`: the client alone paging the same sales (parse only).
const MODE = process.env.BENCH_MODE === 'connector' ? 'connector' : 'lake';
// A lake slower than this machine's (a busy worker, real S3): every commit of a table holds its lock this much longer
// (BENCH_COMMIT_DELAY_MS, read by the worker). The same delay on two commits compares how much of the bucket each
// keeps using when the lake is the slow side. BENCH_PREFILL=0: the bucket is not filled before measuring.
const COMMIT_DELAY_MS = Number(process.env.BENCH_COMMIT_DELAY_MS ?? 0);
const root = path.resolve(import.meta.dirname, '../..');

const { stack } = await benchStack();
const port = 20000 + Math.floor(Math.random() * 20000);
const sandbox = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    path.join(root, 'sandbox/lightspeed/main.ts'),
    '--port',
    String(port),
    '--shops',
    String(SHOPS),
    '--days',
    String(DAYS),
    '--sales-per-shop-day',
    String(SALES_PER_SHOP_DAY),
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  await new Promise<void>((resolve, reject) => {
    sandbox.stdout.on('data', (d: Buffer) => d.toString().includes('Lightspeed sandbox') && resolve());
    sandbox.once('exit', (c) => reject(new Error(`sandbox exited ${c}`)));
  });
  const worker = spawn(
    process.execPath,
    [...WORKER_NODE_FLAGS, '--import', 'tsx', path.join(root, 'bench/extraction/lightspeed-extraction-run.ts')],
    {
      cwd: root,
      env: { ...process.env, BENCH_LS_URL: `http://127.0.0.1:${port}`, BENCH_DAYS: String(DAYS), BENCH_MODE: MODE },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  worker.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => worker.once('exit', resolve));
  if (code !== 0) throw new Error(`lightspeed-extraction-run exited ${code}`);
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
  const name = MODE === 'connector' ? 'lightspeed-connector' : 'lightspeed-extraction';
  const self = Math.round(Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024);
  writeResult(COMMIT_DELAY_MS ? `${name}-slow-lake` : name, {
    commit: execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(),
    ...result,
    workerNodeFlags: WORKER_NODE_FLAGS,
    benchProcessPeakRssMiB: self,
    sandboxPeakRssMiB: peakRssMiB(sandbox.pid!),
  });
} finally {
  sandbox.kill('SIGTERM');
  await stack.stop();
}
