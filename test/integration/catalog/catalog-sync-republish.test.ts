import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogBackfill, catalogSync } from '../../../workflows';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 300;

describe('catalogue sync after a shop lost its products', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  beforeAll(async () => {
    t = await temporalHarness('sync-republish');
    f = await catalogFixture({ products: N, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f?.close();
    await t?.close();
  });

  it('republishes every product the shop lost (the rate is logged)', async () => {
    await t.withWorkers(f.activities, async () => {
      await t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/${t.queue('shopify')}`,
        args: [{ name: 'all', filter: {}, bulkThreshold: 10, chunkSize: 1000 }],
      });
      // The shop loses every product (as the in-memory sandbox does on a restart).
      for (const p of [...f.sandbox.state.products.values()]) {
        f.sandbox.state.products.delete(p.id);
        f.sandbox.state.index(
          { ...p, handle: `deleted-${p.id}`, metafields: [], variants: [] },
          { handle: p.handle, metafields: p.metafields },
        );
      }
      const started = Date.now();
      const summary = await t.client.workflow.execute(catalogSync, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-sync-${t.queue('shopify')}`,
        args: [{}],
      });
      expect(summary.missing).toBe(N);
      while (f.sandbox.state.products.size < N && Date.now() - started < 180_000)
        await new Promise((r) => setTimeout(r, 100));
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `republished ${f.sandbox.state.products.size} lost products in ${seconds.toFixed(1)} s = ${(N / seconds).toFixed(1)}/s`,
      );
      expect(f.sandbox.state.products.size).toBe(N);
    });
  }, 300_000);
});
