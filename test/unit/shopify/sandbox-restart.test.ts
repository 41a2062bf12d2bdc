import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startShopifySandbox } from '../../../sandbox/shopify';

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
    const collect = (sb: Awaited<ReturnType<typeof startShopifySandbox>>) => {
      const ids: number[] = [];
      const numbers: number[] = [];
      for (const o of sb.state.orders.values()) {
        numbers.push(o.number);
        ids.push(numeric(o.id), ...o.lineItems.map((l) => numeric(l.id)), ...o.refunds.map((r) => numeric(r.id)));
        if (o.customerId) ids.push(numeric(o.customerId));
      }
      return { ids, numbers };
    };
    for (let run = 0; run < 3; run++) {
      const sb = await startShopifySandbox({ dataDir });
      sb.storefront.placeOrders({ count: 5 + run, refundRate: 0.5, lines: { min: 3, max: 30 - run * 7 } });
      const { ids, numbers } = collect(sb);
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
});
