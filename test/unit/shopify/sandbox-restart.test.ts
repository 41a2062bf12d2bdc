import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startShopifySandbox } from '../../../sandbox/shopify';
import { activate, rawAdmin } from '../../support/sandbox-client';

const numeric = (gid: string) => Number(gid.split('/').pop());

// Schema 2026-10, Node.id and Order.id: "A globally-unique ID."; Order.name: "The unique identifier for the order
// that appears on the order page in the Shopify admin" (not unique across stores). A restarted sandbox with the
// same data dir must not hand out an id or order number it gave before, or a stored order is overwritten by a
// different one.
describe('sandbox restart with the same data dir', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-restart-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('reuses no id (orders, line items, refunds, customers) and no order number', async () => {
    const seen = { ids: new Set<number>(), numbers: new Set<number>() };
    // Only this run's orders: the earlier runs' are kept by the shop (restored from the snapshot).
    const collect = (sb: Awaited<ReturnType<typeof startShopifySandbox>>, before: Set<string>) => {
      const ids: number[] = [];
      const numbers: number[] = [];
      for (const o of sb.state.orders.values()) {
        if (before.has(o.id)) continue;
        numbers.push(o.number);
        ids.push(numeric(o.id), ...o.lineItems.map((l) => numeric(l.id)), ...o.refunds.map((r) => numeric(r.id)));
        if (o.customerId) ids.push(numeric(o.customerId));
      }
      return { ids, numbers };
    };
    for (let run = 0; run < 3; run++) {
      const sb = await startShopifySandbox({ dataDir });
      const before = new Set(sb.state.orders.keys());
      sb.storefront.placeOrders({ count: 5 + run, refundRate: 0.5, lines: { min: 3, max: 30 - run * 7 } });
      const { ids, numbers } = collect(sb, before);
      await sb.close();
      for (const id of ids) expect(seen.ids.has(id), `id ${id} reused after restart ${run}`).toBe(false);
      for (const n of numbers) expect(seen.numbers.has(n), `order number ${n} reused after restart ${run}`).toBe(false);
      ids.forEach((id) => seen.ids.add(id));
      numbers.forEach((n) => seen.numbers.add(n));
    }
    expect(seen.numbers.size).toBe(5 + 6 + 7);
  });

  it('keeps ids unique even when the previous run was killed (no clean close)', async () => {
    const first = await startShopifySandbox({ dataDir });
    const before = first.storefront.placeOrders({ count: 3 }).map((o) => numeric(o.id));
    // No close(): the reservation on disk is all the next run has, as after kill -9.
    const second = await startShopifySandbox({ dataDir });
    const after = second.storefront.placeOrders({ count: 3 }).map((o) => numeric(o.id));
    expect(Math.min(...after)).toBeGreaterThan(Math.max(...before));
    await Promise.all([first.close(), second.close()]);
  });

  // Location.id: "A globally-unique ID." A shop's locations outlive any session: the mappings the pipelines keep
  // (store code → location id) stay valid across restarts. Before, each start gave every location a new id and
  // the first stock push after a restart was refused ("The specified location could not be found.").
  it('keeps every location under the id it had before the restart', async () => {
    const ids = (sb: Awaited<ReturnType<typeof startShopifySandbox>>) =>
      Object.fromEntries([...sb.state.locations.values()].map((l) => [l.code, l.id]));
    const first = await startShopifySandbox({ dataDir });
    const before = ids(first);
    await first.close();
    const second = await startShopifySandbox({ dataDir });
    expect(ids(second)).toEqual(before);
    await second.close();
    // A location added to the configuration later gets a new id of its own; the others keep theirs.
    const third = await startShopifySandbox({
      dataDir,
      locations: [...Object.keys(before).map((code) => ({ code, name: code })), { code: 'EM', name: 'Emerald Mall' }],
    });
    const after = ids(third);
    for (const [code, id] of Object.entries(before)) expect(after[code]).toBe(id);
    expect(Object.values(before)).not.toContain(after.EM);
    await third.close();
  });

  // A shop outlives the pipelines' machine: a restart of our side never makes Shopify forget its products, their
  // inventory, its orders or its webhook subscriptions. Before, the sandbox kept them in memory only and the first
  // npm start after a restart recorded 600 "inventory item could not be found" errors and republished the catalogue.
  it('keeps products, inventory levels, customers, orders and webhook subscriptions across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-keep-'));
    try {
      const first = await startShopifySandbox({ dataDir: dir });
      expect(first.restored).toBe(false);
      const gql = rawAdmin(first);
      const { json } = await gql(
        `mutation { productSet(synchronous: true, input: { title: "Rice", productOptions: [{ name: "Size", values: [{ name: "1 kg" }] }], variants: [{ sku: "RICE-1", price: "4.00", optionValues: [{ optionName: "Size", name: "1 kg" }] }] }) { product { variants(first: 1) { nodes { id inventoryItem { id } } } } userErrors { code } } }`,
      );
      const variantId = json.data.productSet.product.variants.nodes[0].id as string;
      const itemId = json.data.productSet.product.variants.nodes[0].inventoryItem.id as string;
      await activate(gql, itemId, [...first.state.locations.keys()][1]!);
      first.storefront.placeOrders({ count: 4, refundRate: 0.5, lines: { min: 15, max: 40 } });
      const snapshot = (sb: typeof first) => ({
        products: [...sb.state.products.keys()],
        items: [...sb.state.inventoryItems.values()].map((i) => [i.id, [...i.levels].map(([l, q]) => [l, [...q]])]),
        customers: [...sb.state.customers.keys()],
        orders: [...sb.state.orders.values()].map((o) => [o.id, o.lineItems.length, o.refunds.length]),
        subscriptions: [...sb.state.webhookSubscriptions.keys()],
      });
      const before = snapshot(first);
      expect(before.orders.length).toBe(4);
      await first.close();

      const second = await startShopifySandbox({ dataDir: dir });
      expect(second.restored).toBe(true);
      expect(snapshot(second)).toEqual(before);
      expect(before.products).toHaveLength(1);
      expect(second.state.inventoryItems.get(itemId)?.levels).toBeInstanceOf(Map);
      // The restored product is found by the indexes the API uses (variant → product), not only by id.
      const read = await rawAdmin(second)(`{ productVariant(id: "${variantId}") { sku product { title } } }`);
      expect(read.json.data.productVariant).toMatchObject({ sku: 'RICE-1', product: { title: 'Rice' } });
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
