import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, pimDb, storeDb, type PimDb, type StoreDb } from '../../../db/client';
import { migrateAll } from '../../../db/migrate';
import { saveProduct, updateProduct, updateVariantPrice } from '../../../db/pim/catalog-writes';
import { changeOutbox, products, variants } from '../../../db/pim/schema';
import { stock } from '../../../db/store/schema';
import { demoProducts } from '../../../db/seed/catalog';
import { seedDemoData, seedReferenceData } from '../../../db/seed';
import { gtinCheckDigit } from '../../../db/seed/random';
import { freshDatabases } from '../../support/db';

describe('databases', () => {
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let pools: ReturnType<typeof createPool>[];
  let pim: PimDb;
  let store: StoreDb;

  beforeAll(async () => {
    dbs = await freshDatabases();
    pools = [createPool(dbs.pim), createPool(dbs.store)];
    pim = pimDb(pools[0]!);
    store = storeDb(pools[1]!);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await dbs.drop();
  });

  it('re-applying the committed migrations is a no-op', async () => {
    const before = await pools[0]!.query('SELECT COUNT(*) AS n FROM __drizzle_migrations');
    await migrateAll(dbs);
    const after = await pools[0]!.query('SELECT COUNT(*) AS n FROM __drizzle_migrations');
    expect(after[0]).toEqual(before[0]);
  });

  it('writes the change outbox (by trigger) in the same transaction as the catalogue edit', async () => {
    await seedReferenceData(pim);
    const [product] = [...demoProducts(1, 7, 900_001)];
    await saveProduct(pim, product!);
    await updateProduct(pim, product!.id, { title: 'Renamed' });
    const outbox = await pim.select().from(changeOutbox).where(eq(changeOutbox.aggregateId, product!.id));
    // The triggers' rows: the save's (product, variants, image, store attributes), then the rename's one.
    expect(outbox[0]!.event).toBe('products.insert');
    expect(outbox.map((r) => r.event)).toContain('variants.insert');
    expect(outbox.at(-1)!.event).toBe('products.update');

    // A failing edit (duplicate handle violates a unique index) leaves neither the edit nor an outbox row.
    const [other] = [...demoProducts(1, 8, 900_002)];
    await expect(saveProduct(pim, { ...other!, handle: product!.handle })).rejects.toThrow();
    expect(await pim.select().from(products).where(eq(products.id, other!.id))).toHaveLength(0);
    expect(await pim.select().from(changeOutbox).where(eq(changeOutbox.aggregateId, other!.id))).toHaveLength(0);
  });

  it('rolls the edit back when its outbox row cannot be written', async () => {
    const [product] = [...demoProducts(1, 9, 900_003)];
    await saveProduct(pim, product!);
    const outboxRows = async () =>
      (await pim.select().from(changeOutbox).where(eq(changeOutbox.aggregateId, product!.id))).length;
    const before = await outboxRows();
    // This file's own database: hiding the outbox table makes the second write of the transaction fail.
    await pools[0]!.query('RENAME TABLE change_outbox TO change_outbox_hidden');
    try {
      await expect(updateProduct(pim, product!.id, { title: 'Never committed' })).rejects.toThrow();
    } finally {
      await pools[0]!.query('RENAME TABLE change_outbox_hidden TO change_outbox');
    }
    const [row] = await pim.select({ title: products.title }).from(products).where(eq(products.id, product!.id));
    expect(row!.title).toBe(product!.title);
    expect(await outboxRows()).toBe(before);
  });

  it('records nothing for an edit of a missing product or an empty patch', async () => {
    const count = async () => (await pim.select({ n: sql<number>`count(*)` }).from(changeOutbox))[0]!.n;
    const before = await count();
    expect(await updateProduct(pim, 987_654_321, { title: 'Ghost' })).toBe(false);
    expect(await updateProduct(pim, 900_001, {})).toBe(false);
    expect(await updateVariantPrice(pim, 900_001, 'NOT-A-SKU', '1.00')).toBe(false);
    expect(await count()).toBe(before);
  });

  it('moves the product with a variant price edit and loads it with its relations', async () => {
    const [product] = [...demoProducts(1, 10, 900_004)];
    await saveProduct(pim, product!);
    const [before] = await pim.select({ at: products.updatedAt }).from(products).where(eq(products.id, product!.id));
    await new Promise((r) => setTimeout(r, 20));
    const sku = product!.variants[0]!.sku;
    expect(await updateVariantPrice(pim, product!.id, sku, '12.34', '15.00')).toBe(true);
    const loaded = await pim.query.products.findFirst({
      where: eq(products.id, product!.id),
      with: { variants: true, images: true },
    });
    expect(loaded!.updatedAt.getTime()).toBeGreaterThan(before!.at.getTime());
    expect(loaded!.variants.map((v) => v.sku)).toEqual(product!.variants.map((v) => v.sku));
    // Money read with a plain select keeps its two decimals (relational queries go through JSON and may not).
    const [variant] = await pim.select().from(variants).where(eq(variants.sku, sku));
    expect(variant).toMatchObject({ price: '12.34', compareAtPrice: '15.00' });
    expect(loaded!.images).toHaveLength(1);
    const [last] = await pim
      .select()
      .from(changeOutbox)
      .orderBy(sql`${changeOutbox.id} desc`)
      .limit(1);
    expect(last).toMatchObject({ aggregateId: product!.id, aggregateType: 'product', event: 'variants.update' });
  });

  it('seeds a deterministic grocery catalogue with valid GTINs and unique SKUs', async () => {
    const summary = await seedDemoData({ pim, store }, { products: 300, seed: 42 });
    expect(summary.products).toBe(300);
    const rows = await pim
      .select({ sku: variants.sku, barcode: variants.barcode, price: variants.price })
      .from(variants)
      .where(sql`${variants.productId} <= 300`)
      .orderBy(variants.productId, variants.position); // the generator's order (wide products' variant ids lie apart)
    expect(new Set(rows.map((r) => r.sku)).size).toBe(rows.length);
    for (const { barcode } of rows) expect(Number(barcode!.at(-1))).toBe(gtinCheckDigit(barcode!.slice(0, -1)));
    expect((await store.select({ n: sql<number>`count(*)` }).from(stock))[0]!.n).toBeGreaterThan(300);

    const digest = (items: unknown) => createHash('sha256').update(JSON.stringify(items)).digest('hex');
    expect(digest([...demoProducts(300, 42)])).toBe(digest([...demoProducts(300, 42)]));
    expect(digest([...demoProducts(300, 42)])).not.toBe(digest([...demoProducts(300, 43)]));
    expect(digest(rows)).toBe(
      digest(
        [...demoProducts(300, 42)].flatMap((p) =>
          p.variants.map((v) => ({ sku: v.sku, barcode: v.barcode, price: v.price })),
        ),
      ),
    );
  });
});
