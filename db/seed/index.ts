import { sql } from 'drizzle-orm';
import type { PimDb, StoreDb } from '../client';
import { images, products, storeAttributes, subDepartments, variants } from '../pim/schema';
import { loyaltyTransactions, posSales, stock, storeProducts, stores } from '../store/schema';
import { DEMO_STORES, SUB_DEPARTMENTS, demoProducts } from './catalog';
import { rng } from './random';

export interface SeedOptions {
  products?: number;
  seed?: number;
  /** Insert batch size: large enough to amortise round trips, small enough for max_allowed_packet. */
  batchSize?: number;
}

export interface SeedSummary {
  products: number;
  variants: number;
  stores: number;
  stockRows: number;
}

/** True when the PIM already holds products (so `npm start` does not seed twice). */
export async function isDemoDataPresent(pim: PimDb): Promise<boolean> {
  const [row] = await pim.select({ n: sql<number>`count(*)` }).from(products);
  return Number(row?.n ?? 0) > 0;
}

/** Sub-departments: the reference rows products point at. Idempotent. */
export async function seedReferenceData(pim: PimDb): Promise<void> {
  await pim
    .insert(subDepartments)
    .values(SUB_DEPARTMENTS.map(({ code, name, department }) => ({ code, name, department })))
    .onDuplicateKeyUpdate({ set: { name: sql`values(name)` } });
}

/**
 * Writes a deterministic grocery-chain catalogue and store data: the same seed and size always give the
 * same rows. Multi-row inserts in batches; the catalogue is generated lazily.
 */
export async function seedDemoData(db: { pim: PimDb; store: StoreDb }, opts: SeedOptions = {}): Promise<SeedSummary> {
  const count = opts.products ?? 2000;
  const seed = opts.seed ?? 42;
  const batchSize = opts.batchSize ?? 500;
  const r = rng(seed + 1);

  await seedReferenceData(db.pim);
  await db.store
    .insert(stores)
    .values(DEMO_STORES)
    .onDuplicateKeyUpdate({ set: { name: sql`values(name)` } });

  let variantCount = 0;
  let stockRows = 0;
  let saleId = 1;
  let batch: ReturnType<typeof demoProducts> extends Generator<infer T> ? T[] : never = [];
  const flush = async () => {
    if (!batch.length) return;
    const vs = batch.flatMap((p) => p.variants.map((v, i) => ({ ...v, productId: p.id, position: i + 1 })));
    variantCount += vs.length;
    await db.pim.insert(products).values(batch.map(({ variants: _v, images: _i, storeAttributes: _s, ...p }) => p));
    await db.pim.insert(variants).values(vs);
    const imgs = batch.flatMap((p) =>
      (p.images ?? []).map((img, i) => ({ productId: p.id, url: img.url, alt: img.alt ?? null, position: i + 1 })),
    );
    if (imgs.length) await db.pim.insert(images).values(imgs);
    const attrs = batch.flatMap((p) => (p.storeAttributes ?? []).map((a) => ({ productId: p.id, ...a })));
    if (attrs.length) await db.pim.insert(storeAttributes).values(attrs);

    const stockBatch = [];
    const storeProductBatch = [];
    const salesBatch = [];
    for (const v of vs)
      for (const s of DEMO_STORES) {
        if (!r.chance(0.85)) continue;
        stockBatch.push({ storeCode: s.code, sku: v.sku, onHand: r.int(0, 120) });
        storeProductBatch.push({
          storeCode: s.code,
          posSku: `${s.code}-${v.sku}`,
          sku: v.sku,
          barcode: v.barcode,
          shelfPrice: v.price,
        });
        if (r.chance(0.1))
          salesBatch.push({
            id: saleId++,
            storeCode: s.code,
            sku: v.sku,
            quantity: r.int(1, 5),
            amount: v.price,
            soldAt: new Date(Date.UTC(2026, 10, r.int(1, 23), r.int(8, 20))),
          });
      }
    stockRows += stockBatch.length;
    if (stockBatch.length) await db.store.insert(stock).values(stockBatch);
    if (storeProductBatch.length) await db.store.insert(storeProducts).values(storeProductBatch);
    if (salesBatch.length) await db.store.insert(posSales).values(salesBatch);
    batch = [];
  };
  for (const p of demoProducts(count, seed)) {
    batch.push(p);
    if (batch.length >= batchSize) await flush();
  }
  await flush();

  const loyalty = Array.from({ length: Math.min(5000, count * 2) }, (_, i) => ({
    id: i + 1,
    cardNumber: `LC${String(r.int(1, Math.max(10, count / 4))).padStart(8, '0')}`,
    storeCode: r.pick(DEMO_STORES).code,
    pointsDelta: r.chance(0.85) ? r.int(1, 250) : -r.int(50, 500),
    reason: r.pick(['purchase', 'purchase', 'purchase', 'redemption', 'adjustment']),
    occurredAt: new Date(Date.UTC(2026, r.int(0, 10), r.int(1, 28), r.int(8, 20), r.int(0, 59))),
  }));
  for (let i = 0; i < loyalty.length; i += batchSize)
    await db.store.insert(loyaltyTransactions).values(loyalty.slice(i, i + batchSize));

  return { products: count, variants: variantCount, stores: DEMO_STORES.length, stockRows };
}
