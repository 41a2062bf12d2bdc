import mysql from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import type { DatabaseUrls } from './migrate';
import * as pimSchema from './pim/schema';
import * as pimRelations from './pim/relations';
import * as storeSchema from './store/schema';
import * as storeRelations from './store/relations';
import * as ordersSchema from './orders/schema';
import * as ordersRelations from './orders/relations';
import * as channelsSchema from './channels/schema';

const pimTables = { ...pimSchema, ...pimRelations };
const store = { ...storeSchema, ...storeRelations };
const orders = { ...ordersSchema, ...ordersRelations };

export type PimDb = MySql2Database<typeof pimTables>;
export type StoreDb = MySql2Database<typeof store>;
export type OrdersDb = MySql2Database<typeof orders>;
export type ChannelsDb = MySql2Database<typeof channelsSchema>;

export interface PoolOptions {
  /** Most connections this process opens to the database (default 20: one worker's concurrent activities). */
  connectionLimit?: number;
}

/** A pool per database; times are UTC and DECIMALs stay strings so money never passes through floats. */
export function createPool(url: string, connectionLimit = 20): mysql.Pool {
  return mysql.createPool({
    uri: url,
    connectionLimit,
    // Idle connections beyond a few are closed after a minute, so many idle workers do not hog the server.
    maxIdle: Math.min(5, connectionLimit),
    idleTimeout: 60_000,
    enableKeepAlive: true,
    timezone: 'Z',
    decimalNumbers: false,
  });
}

// Relational queries (`db.query.x.findMany({ with })`) in drizzle's 'default' mode use LATERAL joins, which
// MariaDB lacks; the 'planetscale' mode builds correlated subqueries instead. On MariaDB those work for `many`
// relations (a product's variants) but not for `one` relations (a product's sub-department): MariaDB rejects the
// outer reference inside a derived table. Load `one` relations with an ordinary join. Relational queries also pass
// rows through JSON, where MariaDB prints DECIMAL 15.00 as 15: read money with a plain select.
const options = { mode: 'planetscale', casing: 'snake_case' } as const;

export const pimDb = (pool: mysql.Pool): PimDb => drizzle(pool, { schema: pimTables, ...options });

/**
 * Runs `fn` on one connection of the PIM pool with the change-outbox triggers off for that connection
 * (`SET @pim_outbox_suppress = 1`, read by migration 0002_outbox_triggers): a bulk load of tens of thousands of
 * products (the demo seeder) writes no outbox row per row it inserts, and publishes by a backfill instead. The
 * variable is cleared before the connection goes back to the pool; a connection that cannot clear it is closed.
 */
export async function withPimOutboxSuppressed<T>(pim: PimDb, fn: (db: PimDb) => Promise<T>): Promise<T> {
  const pool = (pim as PimDb & { $client: mysql.Pool }).$client;
  const connection = await pool.getConnection();
  try {
    await connection.query('SET @pim_outbox_suppress = 1');
    return await fn(drizzle(connection, { schema: pimTables, ...options }) as unknown as PimDb);
  } finally {
    await connection.query('SET @pim_outbox_suppress = NULL').then(
      () => connection.release(),
      () => connection.destroy(),
    );
  }
}

export const storeDb = (pool: mysql.Pool): StoreDb => drizzle(pool, { schema: store, ...options });
export const ordersDb = (pool: mysql.Pool): OrdersDb => drizzle(pool, { schema: orders, ...options });
export const channelsDb = (pool: mysql.Pool): ChannelsDb => drizzle(pool, { schema: channelsSchema, ...options });

/** A typed drizzle instance with the pool behind it; `close()` ends the pool. */
export interface DbHandle<TDb> {
  db: TDb;
  pool: mysql.Pool;
  close(): Promise<void>;
}

function handle<TDb>(url: string, build: (pool: mysql.Pool) => TDb, opts: PoolOptions): DbHandle<TDb> {
  const pool = createPool(url, opts.connectionLimit);
  return { db: build(pool), pool, close: () => pool.end() };
}

export const createPimDb = (url: string, opts: PoolOptions = {}) => handle(url, pimDb, opts);
export const createStoreDb = (url: string, opts: PoolOptions = {}) => handle(url, storeDb, opts);
export const createOrdersDb = (url: string, opts: PoolOptions = {}) => handle(url, ordersDb, opts);

/** All three databases at once, closed together. */
export function createDatabases(urls: DatabaseUrls, opts: PoolOptions = {}) {
  const handles = {
    pim: createPimDb(urls.pim, opts),
    store: createStoreDb(urls.store, opts),
    orders: createOrdersDb(urls.orders, opts),
  };
  return {
    pim: handles.pim.db,
    store: handles.store.db,
    orders: handles.orders.db,
    async close(): Promise<void> {
      await Promise.all(Object.values(handles).map((h) => h.close()));
    },
  };
}

export { pimSchema, storeSchema, ordersSchema };
