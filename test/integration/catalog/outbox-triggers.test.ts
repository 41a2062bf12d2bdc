import mysql from 'mysql2/promise';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalProductChanged } from '../../../activities/platform/outbox';
import { saveProduct, updateVariantPrice } from '../../../db/pim/catalog-writes';
import { changeOutbox, products, variants } from '../../../db/pim/schema';
import { demoProducts } from '../../../db/seed/catalog';
import { outboxRelay } from '../../../workflows/platform';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 8;

/**
 * #11 item 18: an edit written straight into the PIM tables, by another tool or a SQL script on a connection of
 * its own, reaches the outbox (database triggers) and from there Shopify, as an edit through catalog-writes does.
 */
describe('PIM edits outside catalog-writes reach the outbox', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  let script: mysql.Connection; // "another tool": its own connection, plain SQL, no code of ours
  beforeAll(async () => {
    t = await temporalHarness('outbox-triggers');
    f = await catalogFixture({ products: N, temporal: async () => t.client });
    script = await mysql.createConnection({ uri: f.urls.pim });
  });
  afterAll(async () => {
    await script?.end();
    await f?.close();
    await t?.close();
  });

  const outboxFor = async (id: number) =>
    f.pim.select().from(changeOutbox).where(eq(changeOutbox.aggregateId, id)).orderBy(changeOutbox.id);
  const byPimId = (id: number) =>
    [...f.sandbox.state.products.values()].find((p) =>
      p.metafields.some((m) => m.key === 'pim_id' && m.value === String(id)),
    );
  const until = async (what: string, ok: () => boolean, ms = 30_000) => {
    const started = Date.now();
    while (!ok()) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms / 1000} s: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('seeding the catalogue writes no outbox rows (the seeder suppresses the triggers on its connection)', async () => {
    expect(await f.pim.select().from(changeOutbox)).toHaveLength(0);
    expect((await f.pim.select({ n: sql<number>`count(*)` }).from(products))[0]!.n).toBe(N);
  });

  it('a raw price UPDATE on variants, title UPDATE on products and INSERT into store_attributes arrive in Shopify', async () => {
    await t.withWorkers(f.activities, async () => {
      // Every product published once, by the ordinary path.
      for (let id = 1; id <= N; id++) await signalProductChanged(t.client, t.queue('shopify'), id);
      for (let id = 1; id <= N; id++) await t.client.workflow.getHandle(`product-publish/${id}`).result();
      expect(f.sandbox.state.products.size).toBe(N);
      await f.pim.delete(changeOutbox); // nothing pending: what follows is the raw SQL's alone

      const relay = await t.client.workflow.start(outboxRelay, {
        taskQueue: t.queue('data'),
        workflowId: `outbox-relay-${t.queue('data')}`,
        args: [{ pollMs: 50, runForMs: 5000 }],
      });
      try {
        const [[v1]] = await script.query<mysql.RowDataPacket[]>(
          'SELECT sku FROM variants WHERE product_id = 1 ORDER BY position LIMIT 1',
        );
        await script.query("UPDATE variants SET price = '7.77' WHERE sku = ?", [v1!.sku]);
        await script.query("UPDATE products SET title = 'Renamed by a SQL script' WHERE id = 2");
        await script.query(
          "INSERT INTO store_attributes (product_id, store_code, attr_key, attr_value) VALUES (3, 'EM', 'aisle', '12')",
        );
        await script.query('DELETE FROM images WHERE product_id = 4');
        await script.query('DELETE FROM products WHERE id = 5'); // variants, images, attributes go by cascade

        await until('variant price 7.77', () => byPimId(1)?.variants.some((v) => v.price === '7.77') === true);
        await until('title', () => byPimId(2)?.title === 'Renamed by a SQL script');
        await until('store EM attributes', () =>
          byPimId(3)!.metafields.some((m) => m.key === 'store_em' && JSON.parse(m.value).aisle === '12'),
        );
        await until('images removed', () => byPimId(4)?.files.length === 0);
        await until('hard-deleted product archived', () => byPimId(5)?.status === 'ARCHIVED');
      } finally {
        await relay.terminate('test done');
      }
    });
    // One row per edited row, each naming the product (a child row's product, the deleted product's own id).
    for (const id of [1, 2, 3, 4, 5]) expect((await outboxFor(id)).length).toBeGreaterThan(0);
    expect((await outboxFor(1))[0]).toMatchObject({ aggregateType: 'product', event: 'variants.update' });
    expect((await outboxFor(5)).map((r) => r.event)).toEqual(['products.delete']);
    expect(f.sandbox.state.products.size).toBe(N);
  }, 120_000);

  it('writes no row for an UPDATE that changes nothing the channels publish, and one per product for a sub-department rename', async () => {
    await f.pim.delete(changeOutbox);
    await script.query('UPDATE products SET title = title, updated_at = CURRENT_TIMESTAMP(3) WHERE id = 6');
    await script.query('UPDATE variants SET price = price WHERE product_id = 6');
    expect(await outboxFor(6)).toHaveLength(0);

    const [[row]] = await script.query<mysql.RowDataPacket[]>(
      'SELECT sub_department_code AS code FROM products WHERE id = 6',
    );
    const members = await f.pim
      .select({ id: products.id })
      .from(products)
      .where(eq(products.subDepartmentCode, row!.code));
    await script.query("UPDATE sub_departments SET name = CONCAT(name, ' (renamed)') WHERE code = ?", [row!.code]);
    const rows = await f.pim.select().from(changeOutbox);
    expect(rows.map((r) => r.aggregateId).sort((a, b) => a - b)).toEqual(
      members.map((m) => m.id).sort((a, b) => a - b),
    );
    expect(new Set(rows.map((r) => r.event))).toEqual(new Set(['sub_departments.update']));
  });

  it('an edit through catalog-writes is recorded once per row it changes, by the same triggers', async () => {
    await f.pim.delete(changeOutbox);
    const [p6] = await f.pim.select().from(variants).where(eq(variants.productId, 6)).limit(1);
    expect(await updateVariantPrice(f.pim, 6, p6!.sku, '5.55')).toBe(true);
    // The variant's row only: the product's updated_at moving is no content change.
    expect((await outboxFor(6)).map((r) => r.event)).toEqual(['variants.update']);

    const [fresh] = [...demoProducts(1, 11, 900_001)];
    await saveProduct(f.pim, fresh!);
    const saved = await outboxFor(900_001);
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.every((r) => r.event.endsWith('.insert'))).toBe(true);
  });

  it('a connection that sets @pim_outbox_suppress = 1 writes no rows; other connections still do', async () => {
    await f.pim.delete(changeOutbox);
    const bulk = await mysql.createConnection({ uri: f.urls.pim });
    try {
      await bulk.query('SET @pim_outbox_suppress = 1');
      await bulk.query("UPDATE products SET vendor = 'Bulk load' WHERE id = 7");
      expect(await outboxFor(7)).toHaveLength(0);
      await script.query("UPDATE products SET vendor = 'Script' WHERE id = 7");
      expect((await outboxFor(7)).map((r) => r.event)).toEqual(['products.update']);
    } finally {
      await bulk.end();
    }
  });
});
