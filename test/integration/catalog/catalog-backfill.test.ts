import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelMappings } from '../../../db/pim/schema';
import { sql } from 'drizzle-orm';
import { products } from '../../../db/pim/schema';
import {
  cancelSignal,
  catalogBackfill,
  pauseSignal,
  progressQuery,
  resumeSignal,
  type BackfillProgress,
} from '../../../workflows/catalog';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { startChildWorker } from '../../support/child-worker';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 1200;

describe('catalog backfill (bulk, resumable)', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  const prefix = `backfill-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    t = await temporalHarness('backfill');
    // A slow bulk processor, so kills land while operations run.
    f = await catalogFixture({ products: N, sandbox: { bulkRowsPerSecond: 100 }, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f?.close();
    await t?.close();
  });

  const workerEnv = () => ({
    PIM_DATABASE_URL: f.urls.pim,
    STORE_DATABASE_URL: f.urls.store,
    ORDERS_DATABASE_URL: f.urls.orders,
    SHOPIFY_ADMIN_URL: f.sandbox.adminGraphqlUrl,
    SHOPIFY_SHOP: `${prefix}.myshopify.com`,
  });

  it('finishes with 0 duplicates and 0 missing after the worker is killed while staging, during a bulk operation and while applying results', async () => {
    let worker = await startChildWorker(prefix, workerEnv());
    const handle = await t.client.workflow.start(catalogBackfill, {
      taskQueue: `${prefix}.shopify`,
      workflowId: `catalog-backfill/${prefix}`,
      args: [{ name: 'all', filter: {}, bulkThreshold: 100, chunkSize: 400, maxConcurrentBulk: 3 }],
    });
    const progress = () => handle.query(progressQuery);
    const until = async (what: string, ok: (p: BackfillProgress) => boolean) => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const p = await progress();
        if (ok(p)) return p;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(p)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const restart = async () => {
      await worker.kill();
      worker = await startChildWorker(prefix, workerEnv());
    };
    const kills: string[] = [];

    // 1. While staging: the first chunk is being built (bulk phase, nothing in flight yet).
    await until('bulk phase', (p) => p.phase === 'bulk');
    await restart();
    kills.push('staging');
    // 2. During a bulk operation: operations started and still running in the sandbox.
    await until('operation running', (p) => p.inFlight.some((c) => c.operationId));
    const running = [...f.sandbox.state.bulkOperations.values()].filter((o) => o.status === 'RUNNING').length;
    await restart();
    kills.push(`bulk operation (${running} running)`);
    // 3. While applying results: some mappings written, backfill not finished.
    const mappings = async () =>
      (await f.pim.select({ id: channelMappings.pimProductId }).from(channelMappings)).length;
    const deadline = Date.now() + 120_000;
    while ((await mappings()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await restart();
    kills.push('applying results');

    const result = await handle.result();
    await worker.kill();
    expect(kills).toHaveLength(3);
    expect(result.phase).toBe('done');
    expect(result.total).toBe(N);
    expect(result).toMatchObject({ synced: N, failed: 0 });
    const pimIds = [...f.sandbox.state.products.values()].map(
      (p) => p.metafields.find((m) => m.key === 'pim_id')?.value,
    );
    expect(pimIds).toHaveLength(N); // 0 duplicates
    expect(new Set(pimIds).size).toBe(N); // 0 missing
    expect(await mappings()).toBe(N);
    const bulkOps = [...f.sandbox.state.bulkOperations.values()];
    expect(bulkOps.every((o) => o.status === 'COMPLETED')).toBe(true);
  }, 240_000);

  it('re-running the same backfill changes nothing', async () => {
    const before = [...f.sandbox.state.products.values()].map((p) => p.updatedAt);
    const opsBefore = f.sandbox.state.bulkOperations.size;
    const result = await t.withWorkers(f.activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/${prefix}-again`,
        args: [{ name: 'all', filter: {}, bulkThreshold: 100, chunkSize: 400 }],
      }),
    );
    expect(result).toMatchObject({ phase: 'done', total: N, skipped: N, synced: 0, failed: 0 });
    expect(f.sandbox.state.bulkOperations.size).toBe(opsBefore);
    expect([...f.sandbox.state.products.values()].map((p) => p.updatedAt)).toEqual(before);
    // 84 s in a quiet CI run (the stock phase re-reads every product's levels), over 120 s in a loaded one.
  }, 240_000);

  it('publishes a small population product by product, filtered by sub-department', async () => {
    const result = await t.withWorkers(f.activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/${prefix}-dairy`,
        args: [{ name: 'dairy', filter: { subDepartment: 'DAIRY' }, bulkThreshold: 100_000 }],
      }),
    );
    expect(result.phase).toBe('done');
    expect(result.total).toBeGreaterThan(0);
    expect(result.total).toBeLessThan(N);
    expect(result.done).toBe(result.total);
  }, 120_000);

  it('pauses between pages, resumes where it stopped, and cancels cleanly', async () => {
    // 800 products changed (no relay runs here), and a slow shop, so pages take a while.
    await f.pim
      .update(products)
      .set({ title: sql`concat(${products.title}, ' (new pack)')` })
      .where(sql`${products.id} <= 800`);
    f.sandbox.setFaults({ latencyMs: 15 });
    await t.withWorkers(f.activities, async () => {
      const handle = await t.client.workflow.start(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/${prefix}-pausable`,
        args: [{ name: 'pausable', filter: {}, bulkThreshold: 100_000 }],
      });
      const progress = () => handle.query(progressQuery);
      while ((await progress()).done === 0) await new Promise((r) => setTimeout(r, 20));
      await handle.signal(pauseSignal);
      // The page in flight finishes, the workflow parks at its checkpoint, and after that nothing moves.
      while (!(await progress()).holding) await new Promise((r) => setTimeout(r, 50));
      const paused = await progress();
      await new Promise((r) => setTimeout(r, 1500));
      expect(await progress()).toEqual(paused);
      expect(paused.paused).toBe(true);
      expect(paused.done).toBeLessThan(N);
      await handle.signal(resumeSignal);
      while ((await progress()).done === paused.done) await new Promise((r) => setTimeout(r, 20));
      await handle.signal(cancelSignal);
      const result = await handle.result();
      expect(result.phase).toBe('cancelled');
      expect(result.done).toBeGreaterThan(paused.done);
      expect(result.done).toBeLessThanOrEqual(N);
    });
    f.sandbox.setFaults({});
  }, 120_000);
});
