import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPimDb, createStoreDb, type DbHandle, type PimDb, type StoreDb } from '../../../db/client';
import { isDemoDataPresent, seedDemoData } from '../../../db/seed';
import { gtinCheckDigit } from '../../../db/seed/random';
import { freshDatabases, type FreshDatabases } from '../../support/db';

// Every column except the ones the server stamps with the time of insertion.
const TABLES = {
  pim: {
    sub_departments: 'code, name, department',
    products: 'id, handle, title, description_html, vendor, sub_department_code, tags, options, status',
    variants: 'id, product_id, sku, barcode, option_values, price, compare_at_price, weight, weight_unit, position',
    images: 'product_id, url, alt, position',
    store_attributes: 'product_id, store_code, attr_key, attr_value',
  },
  store: {
    stores: 'code, name, shopify_location_name',
    store_products: 'store_code, pos_sku, sku, barcode, shelf_price',
    stock: 'store_code, sku, on_hand',
    pos_sales: 'id, store_code, sku, quantity, amount, sold_at',
    loyalty_transactions: 'id, card_number, store_code, points_delta, reason, occurred_at',
  },
};

/** A digest per table of its rows in a fixed order. */
async function checksums(url: string, tables: Record<string, string>): Promise<Record<string, string>> {
  const c = await mysql.createConnection({ uri: url, timezone: 'Z', dateStrings: true });
  try {
    const out: Record<string, string> = {};
    for (const [table, columns] of Object.entries(tables)) {
      const [rows] = await c.query({ sql: `SELECT ${columns} FROM ${table} ORDER BY ${columns}`, rowsAsArray: true });
      out[table] = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
    }
    return out;
  } finally {
    await c.end();
  }
}

describe('demo data seed', () => {
  const sets: { dbs: FreshDatabases; pim: DbHandle<PimDb>; store: DbHandle<StoreDb> }[] = [];
  const open = async () => {
    const dbs = await freshDatabases();
    const set = { dbs, pim: createPimDb(dbs.pimUrl), store: createStoreDb(dbs.storeUrl) };
    sets.push(set);
    return set;
  };
  let a: Awaited<ReturnType<typeof open>>;
  let seedMs = 0;

  beforeAll(async () => {
    a = await open();
    expect(await isDemoDataPresent(a.pim.db)).toBe(false);
    const started = Date.now();
    await seedDemoData({ pim: a.pim.db, store: a.store.db }, { products: 1500, seed: 42 });
    seedMs = Date.now() - started;
  });
  afterAll(async () => {
    for (const s of sets) {
      await Promise.all([s.pim.close(), s.store.close()]);
      await s.dbs.drop();
    }
  });

  it('seeds 1,500 products well within a test budget', () => {
    console.log(`seeded 1500 products in ${seedMs} ms`);
    expect(seedMs).toBeLessThan(30_000);
  });

  it('writes identical data for the same seed, and other data for another seed or store list', async () => {
    const b = await open();
    await seedDemoData({ pim: b.pim.db, store: b.store.db }, { products: 1500, seed: 42 });
    expect(await checksums(b.dbs.pimUrl, TABLES.pim)).toEqual(await checksums(a.dbs.pimUrl, TABLES.pim));
    expect(await checksums(b.dbs.storeUrl, TABLES.store)).toEqual(await checksums(a.dbs.storeUrl, TABLES.store));

    const c = await open();
    await seedDemoData({ pim: c.pim.db, store: c.store.db }, { products: 200, seed: 7, stores: ['EMERALD', 'C'] });
    expect((await checksums(c.dbs.pimUrl, TABLES.pim)).products).not.toBe(
      (await checksums(a.dbs.pimUrl, TABLES.pim)).products,
    );
    const [codes] = await c.store.pool.query<mysql.RowDataPacket[]>(
      'SELECT DISTINCT store_code AS code FROM stock UNION SELECT code FROM stores UNION SELECT DISTINCT store_code FROM loyalty_transactions',
    );
    expect(codes.map((r) => r.code).sort()).toEqual(['C', 'EMERALD']);
  });

  it('stores unique SKUs with valid GTIN-13 barcodes', async () => {
    const [[counts]] = await a.pim.pool.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT sku) AS skus, COUNT(DISTINCT barcode) AS barcodes FROM variants',
    );
    expect(counts!.n).toBeGreaterThan(1500);
    expect([counts!.skus, counts!.barcodes]).toEqual([counts!.n, counts!.n]);
    const [rows] = await a.pim.pool.query<mysql.RowDataPacket[]>('SELECT barcode FROM variants');
    const invalid = rows
      .map((r) => String(r.barcode))
      .filter((b) => !/^\d{13}$/.test(b) || Number(b[12]) !== gtinCheckDigit(b.slice(0, 12)));
    expect(invalid).toEqual([]);
  });

  it('stocks most SKUs in every store, with POS SKUs, sales and loyalty activity', async () => {
    expect(await isDemoDataPresent(a.pim.db)).toBe(true);
    const [[pim]] = await a.pim.pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS variants FROM variants');
    const [perStore] = await a.store.pool.query<mysql.RowDataPacket[]>(
      `SELECT s.store_code AS code, COUNT(*) AS stocked, SUM(p.pos_sku IS NOT NULL) AS with_pos
         FROM stock s LEFT JOIN store_products p ON p.store_code = s.store_code AND p.sku = s.sku GROUP BY s.store_code`,
    );
    expect(perStore.map((r) => r.code).sort()).toEqual(['C', 'EMERALD', 'OISTINS', 'SUNSET']);
    for (const r of perStore) {
      expect(r.stocked / pim!.variants).toBeGreaterThan(0.75);
      expect(Number(r.with_pos)).toBe(r.stocked);
    }
    const [[activity]] = await a.store.pool.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT COUNT(*) FROM pos_sales) AS sales, (SELECT COUNT(*) FROM loyalty_transactions) AS loyalty,
              (SELECT COUNT(*) FROM pos_sales WHERE amount <= 0) AS bad_amounts`,
    );
    expect(activity!.sales).toBeGreaterThan(100);
    expect(activity!.loyalty).toBeGreaterThan(100);
    expect(activity!.bad_amounts).toBe(0);
  });
});
