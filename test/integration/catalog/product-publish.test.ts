import { WorkflowFailedError } from '@temporalio/client';
import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalProductChanged } from '../../../activities/platform/outbox';
import { archiveProduct } from '../../../connectors/shopify';
import { changeOutbox, channelMappings, products, syncErrors, variants } from '../../../db/pim/schema';
import { stock } from '../../../db/store/schema';
import { deleteProduct, updateProduct } from '../../../db/pim/catalog-writes';
import { catalogSync } from '../../../workflows/catalog';
import { outboxRelay } from '../../../workflows/platform';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 25;

describe('product publish (PIM → Shopify)', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  beforeAll(async () => {
    t = await temporalHarness('publish');
    f = await catalogFixture({ products: N, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f.close();
    await t.close();
  });

  const byPimId = (id: number) =>
    [...f.sandbox.state.products.values()].find((p) =>
      p.metafields.some((m) => m.key === 'pim_id' && m.value === String(id)),
    );
  const statusOf = (r: unknown) => (r as { last?: { status: string } }).last?.status;

  const publishAll = (ids: number[], force = false) =>
    t.withWorkers(f.activities, async () => {
      for (const id of ids) await signalProductChanged(t.client, t.queue('shopify'), id, force);
      return Promise.all(
        ids.map((id) =>
          t.client.workflow
            .getHandle(`product-publish/${id}`)
            .result()
            .catch((e: unknown) => e),
        ),
      );
    });

  it('publishes N products under 5xx, THROTTLED and dropped replies: exactly N in Shopify, content and stock equal', async () => {
    f.sandbox.setFaults({ http5xxRate: 0.1, throttledRate: 0.1, dropAfterCommitRate: 0.15, seed: 21 });
    const ids = Array.from({ length: N }, (_, i) => i + 1);
    const results = await publishAll(ids);
    f.sandbox.setFaults({});
    expect(results.every((r) => (r as { last: { status: string } }).last.status === 'Synced')).toBe(true);
    expect(f.sandbox.state.products.size).toBe(N);
    expect(f.sandbox.state.counters.dropped + f.sandbox.state.counters.faults5xx).toBeGreaterThan(0);

    const dump = (await (await fetch(`${f.sandbox.url}/_sandbox/products`)).json()) as {
      title: string;
      metafields: { key: string; value: string }[];
      variants: { sku: string; price: string; barcode: string; inventory: Record<string, { available: number }> }[];
    }[];
    const pimVariants = await f.pim.select().from(variants);
    const stockRows = await f.store.select().from(stock);
    for (const product of dump) {
      const pimId = Number(product.metafields.find((m) => m.key === 'pim_id')!.value);
      const expected = pimVariants.filter((v) => v.productId === pimId);
      expect(product.variants.map((v) => [v.sku, v.price, v.barcode])).toEqual(
        expected.map((v) => [v.sku, v.price, v.barcode]),
      );
      for (const v of product.variants)
        for (const row of stockRows.filter((s) => s.sku === v.sku))
          expect(v.inventory[row.storeCode]?.available ?? 0).toBe(row.onHand); // no level = 0 available
    }
    const mappings = await f.pim.select().from(channelMappings);
    expect(mappings).toHaveLength(N);
    expect(mappings.every((m) => m.contentHash?.length === 64)).toBe(true);
  }, 120_000);

  it('skips Shopify entirely when the content hash is unchanged', async () => {
    const before = f.sandbox.state.counters.requests;
    const results = await publishAll([1, 2, 3]);
    expect(results.map((r) => (r as { last: { status: string } }).last.status)).toEqual([
      'Skipped',
      'Skipped',
      'Skipped',
    ]);
    // Only inventory reads: no productSet, no inventory write.
    const updated = [...f.sandbox.state.products.values()].map((p) => p.updatedAt);
    expect(f.sandbox.state.counters.requests - before).toBeLessThan(40);
    expect([...f.sandbox.state.products.values()].map((p) => p.updatedAt)).toEqual(updated);
  });

  it('fails an invalid product on its own with a readable reason, records it, and clears it once fixed', async () => {
    const [v] = await f.pim.select().from(variants).where(eq(variants.productId, 4));
    await f.pim.update(variants).set({ barcode: '8400000000001', price: '-3.00' }).where(eq(variants.sku, v!.sku));
    const [failed, other] = await publishAll([4, 5], true);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect(String((failed as WorkflowFailedError).cause?.message)).toMatch(
      /INVALID_GTIN.*INVALID_PRICE|INVALID_PRICE.*INVALID_GTIN/s,
    );
    expect((other as { last: { status: string } }).last.status).not.toBe('Invalid');
    const desc = await t.client.workflow.getHandle('product-publish/4').describe();
    expect(desc.typedSearchAttributes.getAll().find((p) => p.key.name === 'SyncStatus')?.value).toBe('Invalid');
    const [error] = await f.pim.select().from(syncErrors).where(eq(syncErrors.pimProductId, 4));
    expect(error).toMatchObject({ channel: 'shopify', code: 'INVALID_PRICE' });
    expect(error!.resolvedAt).toBeNull();

    await f.pim.update(variants).set({ barcode: v!.barcode, price: '3.00' }).where(eq(variants.sku, v!.sku));
    const [fixed] = await publishAll([4]);
    expect((fixed as { last: { status: string } }).last.status).toBe('Synced');
    const [resolved] = await f.pim.select().from(syncErrors).where(eq(syncErrors.pimProductId, 4));
    expect(resolved!.resolvedAt).not.toBeNull();
  });

  it('relays a PIM edit from the outbox to Shopify within seconds', async () => {
    await t.withWorkers(f.activities, async () => {
      const relay = await t.client.workflow.start(outboxRelay, {
        taskQueue: t.queue('data'),
        workflowId: `outbox-relay-${t.queue('data')}`,
        args: [{ pollMs: 50, runForMs: 3000 }],
      });
      const started = Date.now();
      await updateProduct(f.pim, 7, { title: 'Renamed by the PIM' });
      let title = '';
      while (Date.now() - started < 20_000) {
        title =
          [...f.sandbox.state.products.values()].find((p) => p.metafields.some((m) => m.value === '7'))?.title ?? '';
        if (title === 'Renamed by the PIM') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await relay.terminate('test done');
      expect(title).toBe('Renamed by the PIM');
      expect(Date.now() - started).toBeLessThan(10_000);
    });
    expect(f.sandbox.state.products.size).toBe(N);
  });

  it('re-relays outbox rows after a crash before they were marked, without a second Shopify write', async () => {
    // The relay signals first and marks rows afterwards; un-marking every row is a crash between the two.
    await f.pim.update(changeOutbox).set({ relayedAt: null });
    const pending = async () =>
      (await f.pim.select({ id: changeOutbox.id }).from(changeOutbox).where(isNull(changeOutbox.relayedAt))).length;
    expect(await pending()).toBeGreaterThan(0);
    const before = new Map([...f.sandbox.state.products.values()].map((p) => [p.id, p.updatedAt]));
    const ids = [
      ...new Set((await f.pim.select({ id: changeOutbox.aggregateId }).from(changeOutbox)).map((r) => r.id)),
    ];
    const results = await t.withWorkers(f.activities, async () => {
      const relay = await t.client.workflow.start(outboxRelay, {
        taskQueue: t.queue('data'),
        workflowId: `outbox-relay-again-${t.queue('data')}`,
        args: [{ pollMs: 50, runForMs: 2000 }],
      });
      while ((await pending()) > 0) await new Promise((r) => setTimeout(r, 50));
      await relay.terminate('test done');
      return Promise.all(ids.map((id) => t.client.workflow.getHandle(`product-publish/${id}`).result()));
    });
    expect(ids).toContain(7);
    const live = results.filter((r) => r.last?.status !== 'Missing');
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((r) => r.last?.status === 'Skipped')).toBe(true);
    // productSet stamps updatedAt: an equal map means not one product was written again.
    expect(new Map([...f.sandbox.state.products.values()].map((p) => [p.id, p.updatedAt]))).toEqual(before);
  });

  it('archives a product in Shopify as soon as the PIM deletes it, and publishes it again once restored', async () => {
    const [before] = await f.pim.select({ status: products.status }).from(products).where(eq(products.id, 8));
    await deleteProduct(f.pim, 8);
    expect((await publishAll([8])).map(statusOf)).toEqual(['Archived']);
    expect(byPimId(8)!.status).toBe('ARCHIVED');
    expect((await publishAll([8])).map(statusOf)).toEqual(['Missing']); // archived once, not again

    await f.pim.update(products).set({ deletedAt: null, status: before!.status }).where(eq(products.id, 8));
    expect((await publishAll([8])).map(statusOf)).toEqual(['Synced']);
    expect(byPimId(8)!.status).toBe(before!.status);
    expect(f.sandbox.state.products.size).toBe(N);
  });

  it('daily sync re-publishes drifted products and archives (never deletes) products the PIM dropped', async () => {
    await deleteProduct(f.pim, 9);
    // An edit no relay has passed on (none runs here, as when the relay is down): the daily diff catches it.
    await f.pim.update(variants).set({ price: '99.99' }).where(eq(variants.productId, 10));
    // Edits on Shopify's side: a product archived by hand in Shopify's admin, and one deleted there.
    const [pim11] = await f.pim.select({ status: products.status }).from(products).where(eq(products.id, 11));
    await archiveProduct(f.shopify, byPimId(11)!.id);
    const gone = byPimId(12)!;
    f.sandbox.state.products.delete(gone.id);
    f.sandbox.state.index(
      { ...gone, handle: `deleted-${gone.id}`, metafields: [], variants: [] },
      { handle: gone.handle, metafields: gone.metafields },
    );

    const summary = await t.withWorkers(f.activities, async () => {
      const result = await t.client.workflow.execute(catalogSync, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-sync-${t.queue('shopify')}`,
        args: [{}],
      });
      for (const id of [10, 11, 12]) await t.client.workflow.getHandle(`product-publish/${id}`).result();
      return result;
    });
    expect(summary).toMatchObject({ checked: N - 1, changed: 3, drifted: 1, missing: 1, archived: 1, phase: 'done' });
    expect(byPimId(9)!.status).toBe('ARCHIVED');
    expect(byPimId(10)!.variants[0]!.price).toBe('99.99');
    expect(byPimId(11)!.status).toBe(pim11!.status);
    expect(byPimId(12)).toBeDefined();
    expect(byPimId(12)!.id).not.toBe(gone.id);
    expect(f.sandbox.state.products.size).toBe(N);
  });
});
