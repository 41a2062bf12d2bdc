import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lightspeedAccount } from '../../../activities/extraction/lightspeed-account';
import { createLightspeedSalesActivities, type ExtractTotals } from '../../../activities/extraction/lightspeed-sales';
import { extractionLake } from '../../../activities/platform/lake';
import type { LakeLock } from '../../../lake/lake-lock';
import { openLakeQuery } from '../../../lake/lake-query';
import { startLightspeedSandbox, type LightspeedSandbox } from '../../../sandbox/lightspeed';
import { loadConfig, type Config } from '../../../workers/config';
import { createDeps, type Deps } from '../../../workers/deps';
import { activitiesFor } from '../../../workers/registry';
import { startChildWorker } from '../../support/child-worker';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

let dbs: FreshDatabases;
let sb: LightspeedSandbox;
let env: Record<string, string>;
let config: Config;
let deps: Deps;
let t: TemporalHarness;
const DAY = '2026-11-29';

beforeAll(async () => {
  dbs = await freshDatabases();
  sb = await startLightspeedSandbox({
    shops: 2,
    days: 3,
    salesPerShopDay: 150,
    items: 300,
    bucket: { size: 90, drip: 40 },
  });
  const bucket = `ls-${randomUUID().slice(0, 8)}`;
  env = {
    EXTRACTION_DATABASE_URL: dbs.extraction,
    LAKE_BUCKET: bucket,
    LIGHTSPEED_ACCOUNT_ID: String(sb.accountID),
    LIGHTSPEED_API_URL: sb.apiUrl,
    LIGHTSPEED_TOKEN_URL: sb.tokenUrl,
    LIGHTSPEED_CLIENT_ID: sb.clientId,
    LIGHTSPEED_CLIENT_SECRET: sb.clientSecret,
    LIGHTSPEED_REFRESH_TOKEN: sb.initialRefreshToken,
    LIGHTSPEED_TOKEN_KEY: randomBytes(32).toString('hex'),
  };
  config = loadConfig({ ...process.env, ...env });
  deps = createDeps(config);
  await deps.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  t = await temporalHarness('lightspeed-extract');
});
afterAll(async () => {
  await t?.close();
  await deps?.close();
  await sb?.close();
  await dbs?.drop();
});

async function lake(sql: string) {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-test-'));
  const s = await openLakeQuery({ aws: config.aws, s3: deps.s3, bucket: config.aws.buckets.lake, cacheDir });
  try {
    return await s.query(sql);
  } finally {
    s.close();
  }
}
const truth = async (day: string, shopID: number) =>
  (await (await fetch(`${sb.url}/_sandbox/day?date=${day}&shopID=${shopID}`)).json()) as {
    sales: number;
    lines: number;
  };

const workers = <T>(fn: () => Promise<T>) =>
  t.withWorkers({ data: activitiesFor('data', deps), lightspeed: activitiesFor('lightspeed', deps) }, fn);

describe('Lightspeed extraction into the lake', () => {
  it('a day per shop lands in lightspeed/sales, sale_lines, payments, tax_lines and reconciles with the accounting reports; a later void shows as a difference until the incremental run picks it up', async () => {
    const result = await workers(() =>
      t.client.workflow.execute('lightspeedDaily', {
        taskQueue: t.queue('data'),
        workflowId: `lightspeed-daily/${randomUUID()}`,
        args: [{ day: DAY }],
      }),
    );
    const shops = (
      result as { shops: { shopId: number; error?: string; reconciliation?: { reconciliation: string } }[] }
    ).shops;
    expect(shops.map((s) => s.error)).toEqual([undefined, undefined]);
    expect(shops.map((s) => s.reconciliation?.reconciliation)).toEqual(['matches', 'matches']);
    for (const shopID of [1, 2]) {
      const [row] = await lake(
        `SELECT count(*) AS n, count(DISTINCT sale_line_id) AS d FROM lightspeed.sale_lines WHERE dt = DATE '${DAY}' AND shop_id = ${shopID}`,
      );
      const want = await truth(DAY, shopID);
      expect(Number(row!.n)).toBe(want.lines);
      expect(Number(row!.d)).toBe(want.lines);
    }
    const tables = (await lake(`SELECT 1 FROM lightspeed.shops LIMIT 1`)).length;
    expect(tables).toBe(1);
    const [inv] = await lake(`SELECT count(*) AS n FROM lightspeed.inventory WHERE snapshot_date = DATE '${DAY}'`);
    expect(Number(inv!.n)).toBe(300 * 2);

    // The merchant voids a sale of that day afterwards: the report drops it, the lake still has it.
    const before = new Date(Date.now() - 1000).toISOString();
    const victim = sb.account.salesOn(DAY, 1).find((h) => !h.voided)!;
    sb.account.sales.touch(victim.saleID, Date.now(), { voided: true });
    const reconcile = activitiesFor('lightspeed', deps).lightspeedReconcileDay as (i: unknown) => Promise<{
      reconciliation: string;
      differences: { measure: string }[];
    }>;
    const differs = await reconcile({ shopId: 1, day: DAY });
    expect(differs.reconciliation).toBe('differs');
    expect(differs.differences.some((d) => d.measure.startsWith('payment:'))).toBe(true);
    const [[recorded]] = await deps.pools.extraction.query<import('mysql2').RowDataPacket[]>(
      'SELECT reconciliation FROM lightspeed_days WHERE shop_id = 1 AND day = ?',
      [DAY],
    );
    expect(recorded!.reconciliation).toBe('differs');

    await workers(() =>
      t.client.workflow.execute('lightspeedIncremental', {
        taskQueue: t.queue('data'),
        workflowId: `lightspeed-incremental/${randomUUID()}`,
        args: [{ firstSince: before }],
      }),
    );
    expect((await reconcile({ shopId: 1, day: DAY })).reconciliation).toBe('matches');
    const [v] = await lake(`SELECT voided FROM lightspeed.sales WHERE sale_id = ${victim.saleID}`);
    expect(v!.voided).toBe(true);
  });

  it('fetching goes on while the lake is still writing the first batch (a slow lake never holds up the bucket, staging bound on local disk, not ten batches); the cursor moves only after the write', async () => {
    // Every commit waits at the table lock until released: the lake as slow as it can be.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let commitsWaiting = 0;
    const slowLock: LakeLock = {
      async withLock(_key, fn) {
        commitsWaiting++;
        await gate;
        return fn();
      },
    };
    const bucket = `ls-slow-${randomUUID().slice(0, 8)}`;
    await deps.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const account = lightspeedAccount(deps);
    await account.ready();
    const acts = createLightspeedSalesActivities({
      client: async () => account.client,
      lake: { ...extractionLake(deps), bucket, lock: slowLock },
    });
    const days = ['2026-11-28', '2026-11-29', '2026-11-30'];
    const want = (await Promise.all(days.map((d) => truth(d, 2)))).reduce(
      (a, b) => ({ sales: a.sales + b.sales, lines: a.lines + b.lines }),
      { sales: 0, lines: 0 },
    );
    const pages = Math.ceil(want.sales / 100);
    const env = new MockActivityEnvironment();
    const beats: { next: string }[] = [];
    env.on('heartbeat', (d: { next: string }) => beats.push(d));
    const before = sb.stats.byResource.Sale ?? 0;
    // A batch per page, so every page after the first would wait for the lake if fetching were tied to it; the
    // staging bound is the default one.
    const run = env.run(acts.lightspeedExtractSales, {
      shopId: 2,
      window: { kind: 'completed' as const, from: '2026-11-28T00:00:00Z', to: '2026-12-01T00:00:00Z' },
      flushLines: 1,
    }) as Promise<ExtractTotals>;
    try {
      // Every page read, and the first commit waiting at the lock (under load it may get there after the last page).
      await vi.waitFor(
        () => {
          expect((sb.stats.byResource.Sale ?? 0) - before).toBe(pages);
          expect(commitsWaiting).toBeGreaterThan(0);
        },
        { timeout: 30_000, interval: 50 },
      );
      // Nothing is committed, so the cursor never moved.
      expect(new Set(beats.map((b) => b.next)).size).toBe(1);
      expect(beats[0]!.next).toMatch(/Sale\.json/);
    } finally {
      release();
    }
    const totals = await run;
    expect([totals.pages, totals.sales, totals.lines]).toEqual([pages, want.sales, want.lines]);
    expect(beats.at(-1)!.next).toBe('');
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ls-test-'));
    const q = await openLakeQuery({ aws: config.aws, s3: deps.s3, bucket, cacheDir });
    try {
      const [row] = await q.query(
        `SELECT count(*) AS n, count(DISTINCT sale_line_id) AS d FROM lightspeed.sale_lines WHERE shop_id = 2`,
      );
      expect([Number(row!.n), Number(row!.d)]).toEqual([want.lines, want.lines]);
    } finally {
      q.close();
    }
  }, 120_000);

  it('past its staging bound on local disk, fetching waits for the lake, and everything still lands', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let commitsWaiting = 0;
    const slowLock: LakeLock = {
      async withLock(_key, fn) {
        commitsWaiting++;
        await gate;
        return fn();
      },
    };
    const bucket = `ls-bound-${randomUUID().slice(0, 8)}`;
    await deps.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const account = lightspeedAccount(deps);
    await account.ready();
    const acts = createLightspeedSalesActivities({
      client: async () => account.client,
      lake: { ...extractionLake(deps), bucket, lock: slowLock },
    });
    const want = (await Promise.all(['2026-11-28', '2026-11-29', '2026-11-30'].map((d) => truth(d, 1)))).reduce(
      (a, b) => ({ sales: a.sales + b.sales, lines: a.lines + b.lines }),
      { sales: 0, lines: 0 },
    );
    const pages = Math.ceil(want.sales / 100);
    expect(pages).toBeGreaterThan(3);
    const before = sb.stats.byResource.Sale ?? 0;
    const run = new MockActivityEnvironment().run(acts.lightspeedExtractSales, {
      shopId: 1,
      window: { kind: 'completed' as const, from: '2026-11-28T00:00:00Z', to: '2026-12-01T00:00:00Z' },
      flushLines: 1,
      stageLimitBytes: 1,
    }) as Promise<ExtractTotals>;
    try {
      await vi.waitFor(() => expect(commitsWaiting).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
      await new Promise((r) => setTimeout(r, 1500));
      // The first page's commit is held; the second page filled the bound and waits; one more was prefetched.
      expect((sb.stats.byResource.Sale ?? 0) - before).toBeLessThanOrEqual(3);
    } finally {
      release();
    }
    const totals = await run;
    expect([totals.pages, totals.sales, totals.lines]).toEqual([pages, want.sales, want.lines]);
  }, 120_000);

  it('kill -9 of the worker mid-backfill loses and duplicates nothing (the retry resumes from the heartbeat)', async () => {
    const prefix = t.queue('data').split('.')[0]!;
    const childEnv = { ...env, CHILD_WORKER_QUEUES: 'data,lightspeed' };
    sb.faults.set({ latencyMs: 150 });
    const before = sb.stats.byResource.Sale ?? 0;
    let worker = await startChildWorker(prefix, childEnv);
    const handle = await t.client.workflow.start('lightspeedBackfill', {
      taskQueue: `${prefix}.data`,
      workflowId: `lightspeed-backfill/${randomUUID()}`,
      args: [{ from: '2026-11-28', to: '2026-12-01', flushLines: 400 }],
    });
    const deadline = Date.now() + 60_000;
    while ((sb.stats.byResource.Sale ?? 0) - before < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await worker.kill();
    const pagesAtKill = (sb.stats.byResource.Sale ?? 0) - before;
    sb.faults.set({});
    worker = await startChildWorker(prefix, childEnv);
    try {
      const out = (await handle.result()) as { error?: string }[];
      expect(out.map((o) => o.error)).toEqual([undefined, undefined]);
    } finally {
      await worker.kill();
    }
    expect(pagesAtKill).toBeGreaterThanOrEqual(4);
    for (const day of ['2026-11-28', '2026-11-29', '2026-11-30'])
      for (const shopID of [1, 2]) {
        const [row] = await lake(
          `SELECT count(*) AS n, count(DISTINCT sale_line_id) AS d FROM lightspeed.sale_lines WHERE dt = DATE '${day}' AND shop_id = ${shopID}`,
        );
        const want = await truth(day, shopID);
        expect([Number(row!.n), Number(row!.d)], `${day} shop ${shopID}`).toEqual([want.lines, want.lines]);
      }
  }, 240_000);
});
