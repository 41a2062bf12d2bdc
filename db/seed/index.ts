import { sql } from 'drizzle-orm';
import { withPimOutboxSuppressed, type PimDb, type StoreDb } from '../client';
import { images, products, storeAttributes, subDepartments, variants } from '../pim/schema';
import { loyaltyTransactions, posSales, stock, storeProducts, stores } from '../store/schema';
import { SUB_DEPARTMENTS, demoProducts, demoStores } from './catalog';
import { gtinCheckDigit, rng } from './random';

export interface SeedOptions {
  products?: number;
  seed?: number;
  /** Store codes to create, stock and attribute (default: EMERALD, C, SUNSET, OISTINS). */
  stores?: readonly string[];
  /** Insert batch size: large enough to amortise round trips, small enough for max_allowed_packet. */
  batchSize?: number;
  /** Id of the first product (default 1): a test's own id range gives it SKUs and workflow ids no other test has. */
  firstId?: number;
  /** Store rows the intake must quarantine or create drafts from (default true: bad rows in every source). */
  storeBadRows?: boolean;
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
  const chain = demoStores(opts.stores);
  if (!chain.length) throw new Error('seedDemoData needs at least one store');
  const r = rng(seed + 1);

  await seedReferenceData(db.pim);
  await db.store
    .insert(stores)
    .values(chain)
    .onDuplicateKeyUpdate({ set: { name: sql`values(name)` } });

  let variantCount = 0;
  let stockRows = 0;
  let saleId = 1;
  let firstVariant: { sku: string; barcode?: string | null } | undefined;
  let batch: ReturnType<typeof demoProducts> extends Generator<infer T> ? T[] : never = [];
  // A second stream so store-side drift does not shift the draws that stock and sales already use.
  const drift = rng(seed + 2);
  const flush = async (pimLoad: PimDb) => {
    if (!batch.length) return;
    const vs = batch.flatMap((p) => p.variants.map((v, i) => ({ ...v, productId: p.id, position: i + 1 })));
    variantCount += vs.length;
    const imgs = batch.flatMap((p) =>
      (p.images ?? []).map((img, i) => ({ productId: p.id, url: img.url, alt: img.alt ?? null, position: i + 1 })),
    );
    const attrs = batch.flatMap((p) => (p.storeAttributes ?? []).map((a) => ({ productId: p.id, ...a })));

    const stockBatch = [];
    const storeProductBatch = [];
    const salesBatch = [];
    for (const v of vs)
      for (const s of chain) {
        if (!r.chance(0.85)) continue;
        stockBatch.push({ storeCode: s.code, sku: v.sku, onHand: r.int(0, 120) });
        // A few shelf prices lag the PIM, as real store systems do: the intake pipeline has drift to find.
        const shelfCents = toCents(v.price) + (drift.chance(0.03) ? drift.int(-50, 50) * 5 : 0);
        storeProductBatch.push({
          storeCode: s.code,
          posSku: `${s.code}-${v.sku}`,
          sku: v.sku,
          barcode: v.barcode,
          shelfPrice: fromCents(Math.max(shelfCents, 5)),
        });
        if (r.chance(0.1)) {
          const quantity = r.int(1, 5);
          salesBatch.push({
            id: saleId++,
            storeCode: s.code,
            sku: v.sku,
            quantity,
            amount: fromCents(toCents(v.price) * quantity),
            soldAt: new Date(Date.UTC(2026, 10, r.int(1, 23), r.int(8, 20))),
          });
        }
      }
    firstVariant ??= vs[0];
    stockRows += stockBatch.length;
    const rows = batch.map(({ variants: _v, images: _i, storeAttributes: _s, ...p }) => p);
    // Products first (the other PIM rows reference them), on the one PIM connection whose outbox triggers are off;
    // the store's rows side by side on its pool.
    const pimWrites = (async () => {
      await pimLoad.insert(products).values(rows);
      await pimLoad.insert(variants).values(vs);
      if (imgs.length) await pimLoad.insert(images).values(imgs);
      if (attrs.length) await pimLoad.insert(storeAttributes).values(attrs);
    })();
    await Promise.all([
      pimWrites,
      stockBatch.length ? db.store.insert(stock).values(stockBatch) : null,
      storeProductBatch.length ? db.store.insert(storeProducts).values(storeProductBatch) : null,
      salesBatch.length ? db.store.insert(posSales).values(salesBatch) : null,
    ]);
    batch = [];
  };
  // A seeded catalogue is published by a backfill (npm start's demo runs one), not by one outbox row per row.
  await withPimOutboxSuppressed(db.pim, async (pimLoad) => {
    for (const p of demoProducts(count, seed, opts.firstId ?? 1, chain)) {
      batch.push(p);
      if (batch.length >= batchSize) await flush(pimLoad);
    }
    await flush(pimLoad);
  });
  if (opts.storeBadRows !== false && firstVariant) stockRows += await seedStoreOddities(db.store, chain, firstVariant);

  const loyalty = Array.from({ length: Math.min(5000, count * 2) }, (_, i) => ({
    id: i + 1,
    // Card numbers as the loyalty lake types them (8-18 digits, as in the CSV exports), so exported days convert.
    cardNumber: String(600_000_000_000 + r.int(1, Math.max(10, count / 4))),
    storeCode: r.pick(chain).code,
    pointsDelta: r.chance(0.85) ? r.int(1, 250) : -r.int(50, 500),
    reason: r.pick(['purchase', 'purchase', 'purchase', 'redemption', 'adjustment']),
    occurredAt: new Date(Date.UTC(2026, r.int(0, 10), r.int(1, 28), r.int(8, 20), r.int(0, 59))),
  }));
  for (let i = 0; i < loyalty.length; i += batchSize)
    await db.store.insert(loyaltyTransactions).values(loyalty.slice(i, i + batchSize));

  // InnoDB's statistics lag a bulk load: without fresh ones the optimiser joins a store's 10,000 rows through the
  // store_code prefix and a join that should take milliseconds takes half a minute.
  await db.pim.execute(sql`ANALYZE TABLE products, variants, images, store_attributes`);
  await db.store.execute(sql`ANALYZE TABLE stores, store_products, stock, pos_sales, loyalty_transactions`);

  return { products: count, variants: variantCount, stores: chain.length, stockRows };
}

const toCents = (price: string) => Math.round(Number(price) * 100);
const fromCents = (cents: number) => (cents / 100).toFixed(2);

/**
 * What real store systems hold besides clean rows, per store: a second POS item of a catalogue SKU with a mis-keyed
 * barcode, a new item at a negative price, a SKU in no known format, a new item the PIM does not know yet (the same
 * in every store), and a new item with a negative on-hand count. Returns the stock rows written.
 */
async function seedStoreOddities(
  store: StoreDb,
  chain: readonly { code: string }[],
  known: { sku: string; barcode?: string | null },
): Promise<number> {
  const good = known.barcode ?? '8400000000017';
  const misKeyed = `${good.slice(0, 12)}${(Number(good[12]) + 1) % 10}`;
  const newBody = '209000000001';
  const newBarcode = `${newBody}${gtinCheckDigit(newBody)}`;
  const rows = chain.flatMap((s, i) => [
    { storeCode: s.code, posSku: `${s.code}-X-BC`, sku: known.sku, barcode: misKeyed, shelfPrice: '1.00' },
    {
      storeCode: s.code,
      posSku: `${s.code}-X-NEG`,
      sku: `NEW-9001${String(i).padStart(2, '0')}-1`,
      barcode: null,
      shelfPrice: '-2.49',
    },
    { storeCode: s.code, posSku: `${s.code}-X-FMT`, sku: `misc ${s.code} 4411`, barcode: null, shelfPrice: '3.00' },
    { storeCode: s.code, posSku: `${s.code}-X-NEW`, sku: 'NEW-900001-1', barcode: newBarcode, shelfPrice: '5.99' },
    { storeCode: s.code, posSku: `${s.code}-X-CNT`, sku: 'NEW-900002-1', barcode: null, shelfPrice: '2.25' },
  ]);
  const stockRows = chain.flatMap((s) => [
    { storeCode: s.code, sku: 'NEW-900001-1', onHand: 12 },
    { storeCode: s.code, sku: 'NEW-900002-1', onHand: -3 },
  ]);
  await store.insert(storeProducts).values(rows);
  await store.insert(stock).values(stockRows);
  return stockRows.length;
}
