import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, pimDb, storeDb, type PimDb, type StoreDb } from '../../db/client';
import { migrateAll } from '../../db/migrate';
import { saveProduct, updateProduct } from '../../db/pim/catalog-writes';
import { changeOutbox, products, variants } from '../../db/pim/schema';
import { stock } from '../../db/store/schema';
import { demoProducts } from '../../db/seed/catalog';
import { seedDemoData, seedReferenceData } from '../../db/seed';
import { gtinCheckDigit } from '../../db/seed/random';
import { freshDatabases } from '../support/db';

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

  it('writes the change outbox in the same transaction as the catalogue edit', async () => {
    await seedReferenceData(pim);
    const [product] = [...demoProducts(1, 7, 900_001)];
    await saveProduct(pim, product!);
    await updateProduct(pim, product!.id, { title: 'Renamed' });
    const outbox = await pim.select().from(changeOutbox).where(eq(changeOutbox.aggregateId, product!.id));
    expect(outbox.map((r) => r.event)).toEqual(['product.saved', 'product.updated']);

    // A failing edit (duplicate handle violates a unique index) leaves neither the edit nor an outbox row.
    const [other] = [...demoProducts(1, 8, 900_002)];
    await expect(saveProduct(pim, { ...other!, handle: product!.handle })).rejects.toThrow();
    expect(await pim.select().from(products).where(eq(products.id, other!.id))).toHaveLength(0);
    expect(await pim.select().from(changeOutbox).where(eq(changeOutbox.aggregateId, other!.id))).toHaveLength(0);
  });

  it('seeds a deterministic grocery catalogue with valid GTINs and unique SKUs', async () => {
    const summary = await seedDemoData({ pim, store }, { products: 300, seed: 42 });
    expect(summary.products).toBe(300);
    const rows = await pim
      .select({ sku: variants.sku, barcode: variants.barcode, price: variants.price })
      .from(variants)
      .where(sql`${variants.productId} <= 300`)
      .orderBy(variants.id);
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
