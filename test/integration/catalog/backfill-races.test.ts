import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogActivities } from '../../../activities/catalog/catalog';
import { ShopifyClient } from '../../../connectors/shopify';
import { channelMappings, products, syncErrors } from '../../../db/pim/schema';
import { catalogBackfill, progressQuery, type BackfillProgress } from '../../../workflows/catalog';
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

  it('a bulk run that fails before its first object (no result file at all) leaves no product unpublished', async () => {
    await f.pim.update(products).set({ title: sql`concat(${products.title}, ' (new label)')` });
    f.sandbox.setFaults({ bulkFailAfterObjects: 0 });
    try {
      const result = await backfill('catalog-backfill/no-result');
      expect(result).toMatchObject({ phase: 'done', synced: N, failed: 0 });
    } finally {
      f.sandbox.setFaults({});
    }
    const pimTitles = await f.pim.select({ id: products.id, title: products.title }).from(products);
    for (const p of pimTitles) expect(titleInShopify(p.id)).toBe(p.title);
    // Each product got its own row, and the single push that followed resolved it.
    const errors = await f.pim.select().from(syncErrors).where(eq(syncErrors.code, 'BULK_LINE_MISSING'));
    expect(errors).toHaveLength(N);
    expect(errors.every((e) => e.resolvedAt !== null)).toBe(true);
  }, 120_000);

  // #11 item 19: a push that read the PIM before an edit, and whose productSet lands after a push of the edited
  // content, would leave Shopify with the older content; pushProduct reads the PIM again after each write.
  it('a push that read older content and lands after a newer push re-reads the PIM and leaves the newer content', async () => {
    const id = N - 1;
    let entered!: () => void;
    const held = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let holdNext = true;
    // The slow writer's transport: its first productSet waits at the gate (after the PIM read, before Shopify).
    const slowClient = new ShopifyClient(f.shopify.config, {
      fetchApi: async (url, init) => {
        if (holdNext && typeof init?.body === 'string' && init.body.includes('productSet(')) {
          holdNext = false;
          entered();
          await gate;
        }
        return fetch(url, init);
      },
    });
    const slow = createCatalogActivities({ pim: f.pim, shopify: slowClient });
    await f.pim.update(products).set({ title: 'Older: read by the slow push' }).where(eq(products.id, id));
    const slowPush = slow.pushProduct(id);
    await held;
    await f.pim.update(products).set({ title: 'Newer: pushed first' }).where(eq(products.id, id));
    const fast = (f.activities.shopify.pushProduct as (id: number) => Promise<{ status: string; hash?: string }>)(id);
    expect((await fast).status).toBe('Synced');
    expect(titleInShopify(id)).toBe('Newer: pushed first');
    release();
    expect((await slowPush).status).toBe('Synced');
    expect(titleInShopify(id)).toBe('Newer: pushed first');
    const [mapping] = await f.pim.select().from(channelMappings).where(eq(channelMappings.pimProductId, id));
    expect(mapping!.contentHash).toBe((await fast).hash);
  }, 60_000);
});
