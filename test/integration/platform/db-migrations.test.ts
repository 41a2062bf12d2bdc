import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabases } from '../../../db/client';
import { DATABASES, dropDatabase, migrateAll, type DatabaseUrls } from '../../../db/migrate';
import { databaseUrl } from '../../support/db';

const admin = () => {
  const url = process.env.MYSQL_ADMIN_URL;
  if (!url) throw new Error('MYSQL_ADMIN_URL is not set');
  return url;
};
// Names that need quoting (a hyphen) prove the identifiers are escaped, not pasted into the SQL.
const freshUrls = (): DatabaseUrls => {
  const suffix = randomUUID().slice(0, 8);
  return Object.fromEntries(DATABASES.map((db) => [db, databaseUrl(admin(), `mig-${db}-${suffix}`)])) as DatabaseUrls;
};
const journalFile = (db: keyof DatabaseUrls) =>
  path.resolve(import.meta.dirname, '../../../db', db, 'migrations/meta/_journal.json');
// A database whose area has no migrations yet stays empty.
const journalLength = (db: keyof DatabaseUrls) =>
  existsSync(journalFile(db)) ? (JSON.parse(readFileSync(journalFile(db), 'utf8')).entries.length as number) : 0;

async function tablesOf(url: string): Promise<string[]> {
  const c = await mysql.createConnection(url);
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SHOW TABLES');
    return rows.map((r) => String(Object.values(r)[0])).sort();
  } finally {
    await c.end();
  }
}

const expectedTables: Record<keyof DatabaseUrls, string[]> = {
  pim: [
    'change_outbox',
    'channel_mappings',
    'images',
    'location_mappings',
    'products',
    'store_attributes',
    'sub_departments',
    'sync_errors',
    'variants',
  ],
  store: ['loyalty_transactions', 'pos_sales', 'stock', 'store_products', 'stores'],
  orders: [
    'customers',
    'ingest_cursors',
    'ledger_queue',
    'line_items',
    'order_write_conflicts',
    'orders',
    'refund_line_items',
    'refunds',
    'risk_assessments',
    'tax_lines',
  ],
  inventory: [
    'movements',
    'pickup_cursors',
    'reservations',
    'safety_stock',
    'sku_sync',
    'stock_incidents',
    'stock_levels',
    'warehouses',
  ],
  channels: [
    'allocation_rule_versions',
    'allocation_rules',
    'channel_cursors',
    'channel_listings',
    'channel_reconcile_runs',
    'channel_submissions',
    'channel_sync_errors',
  ],
  extraction: ['lightspeed_credentials', 'lightspeed_cursors', 'lightspeed_days'],
};

describe('migrations', () => {
  const created: DatabaseUrls[] = [];
  afterAll(async () => {
    await Promise.all(created.flatMap((u) => Object.values(u).map(dropDatabase)));
  });

  it('create the databases and every table on a fresh server, and re-applying them changes nothing', async () => {
    const urls = freshUrls();
    created.push(urls);
    await migrateAll(urls, { createDatabases: true });
    for (const db of DATABASES) {
      const tables = journalLength(db) > 0 ? [...expectedTables[db], '__drizzle_migrations'] : [];
      expect(await tablesOf(urls[db]), db).toEqual(tables.sort());
    }
    const applied = async (db: keyof DatabaseUrls) => {
      if (journalLength(db) === 0) return [];
      const c = await mysql.createConnection(urls[db]);
      const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT id, hash FROM __drizzle_migrations ORDER BY id');
      await c.end();
      return rows;
    };
    const before = await Promise.all(DATABASES.map(applied));
    expect(before.map((r) => r.length)).toEqual(DATABASES.map(journalLength));
    await migrateAll(urls, { createDatabases: true });
    expect(await Promise.all(DATABASES.map(applied))).toEqual(before);
  });

  it('lets two processes migrate the same fresh databases at once', async () => {
    const urls = freshUrls();
    created.push(urls);
    await Promise.all([migrateAll(urls, { createDatabases: true }), migrateAll(urls, { createDatabases: true })]);
    expect(await tablesOf(urls.orders)).toContain('orders');
  });

  it('keeps millisecond timestamps that the server moves on update', async () => {
    const urls = freshUrls();
    created.push(urls);
    await migrateAll(urls, { createDatabases: true });
    const dbs = createDatabases(urls);
    try {
      const c = await mysql.createConnection(urls.store);
      await c.query("INSERT INTO stores (code, name) VALUES ('EMERALD', 'Emerald City')");
      await c.query("INSERT INTO stock (store_code, sku, on_hand) VALUES ('EMERALD', 'SKU-1', 5)");
      const read = async () => {
        const [[row]] = await c.query<mysql.RowDataPacket[]>(
          "SELECT DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') AS t FROM stock WHERE sku = 'SKU-1'",
        );
        return String(row!.t);
      };
      const first = await read();
      await new Promise((r) => setTimeout(r, 20));
      await c.query("UPDATE stock SET on_hand = 6 WHERE sku = 'SKU-1'");
      const second = await read();
      await c.end();
      // 20 ms apart, possibly within one second: only a millisecond ON UPDATE tells them apart.
      expect(second > first).toBe(true);

      const [store] = await dbs.store.query.stores.findMany({ with: { stock: true } });
      expect(store?.stock.map((s) => [s.sku, s.onHand])).toEqual([['SKU-1', 6]]);
    } finally {
      await dbs.close();
    }
  });
});
