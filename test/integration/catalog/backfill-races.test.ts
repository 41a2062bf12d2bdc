import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { products, syncErrors } from '../../../db/pim/schema';
import { catalogBackfill, progressQuery, type BackfillProgress } from '../../../workflows';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 60;

describe('catalog backfill beside publishes and failed bulk runs', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  beforeAll(async () => {
    t = await temporalHarness('backfill-races');
    // 60 lines at 20 rows/s: the chunk's operation runs ~3 s, long enough to publish a product meanwhile.
    f = await catalogFixture({ products: N, sandbox: { bulkRowsPerSecond: 20 }, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f?.close();
    await t?.close();
  });

  const titleInShopify = (id: number) =>
    [...f.sandbox.state.products.values()].find((p) =>
      p.metafields.some((m) => m.key === 'pim_id' && m.value === String(id)),
    )?.title;
  const backfill = (workflowId: string, during?: (progress: () => Promise<BackfillProgress>) => Promise<void>) =>
    t.withWorkers(f.activities, async () => {
      const handle = await t.client.workflow.start(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId,
        args: [{ name: workflowId, filter: {}, bulkThreshold: 10, chunkSize: 100 }],
      });
      if (during) await during(() => handle.query(progressQuery));
      return handle.result();
    });

  it('a product edited and published while its bulk line waits ends in Shopify with the PIM content', async () => {
    const result = await backfill('catalog-backfill/race', async (progress) => {
      const deadline = Date.now() + 60_000;
      while (!(await progress()).inFlight.some((c) => c.operationId)) {
        if (Date.now() > deadline) throw new Error('no bulk operation started');
        await new Promise((r) => setTimeout(r, 20));
      }
      // The last line of the chunk runs ~3 s from now; the publish of the edit lands before it.
      await f.pim.update(products).set({ title: 'Edited during the backfill' }).where(eq(products.id, N));
      const pushed = (await (f.activities.shopify.pushProduct as (id: number) => Promise<{ status: string }>)(N))
        .status;
      expect(pushed).toBe('Synced');
      expect(titleInShopify(N)).toBe('Edited during the backfill');
    });
    expect(result.phase).toBe('done');
    expect(titleInShopify(N)).toBe('Edited during the backfill');
  }, 120_000);

  it('every product a failed bulk run left out gets a sync_errors row and is published at once', async () => {
    await f.pim.update(products).set({ title: sql`concat(${products.title}, ' (relabelled)')` });
    f.sandbox.setFaults({ bulkFailAfterObjects: 20 });
    try {
      const result = await backfill('catalog-backfill/partial');
      expect(result).toMatchObject({ phase: 'done', synced: N, failed: 0 });
    } finally {
      f.sandbox.setFaults({});
    }
    const pimTitles = await f.pim.select({ id: products.id, title: products.title }).from(products);
    for (const p of pimTitles) expect(titleInShopify(p.id)).toBe(p.title);
    const errors = await f.pim.select().from(syncErrors).where(eq(syncErrors.code, 'BULK_LINE_MISSING'));
    expect(errors).toHaveLength(N - 20);
    expect(errors.every((e) => e.resolvedAt !== null)).toBe(true);
  }, 120_000);
});
