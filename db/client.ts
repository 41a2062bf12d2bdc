import mysql from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import * as pimSchema from './pim/schema';
import * as storeSchema from './store/schema';
import * as ordersSchema from './orders/schema';

export type PimDb = MySql2Database<typeof pimSchema>;
export type StoreDb = MySql2Database<typeof storeSchema>;
export type OrdersDb = MySql2Database<typeof ordersSchema>;

/** A pool per database; times are UTC and DECIMALs stay strings so money never passes through floats. */
export function createPool(url: string, connectionLimit = 20): mysql.Pool {
  return mysql.createPool({ uri: url, connectionLimit, enableKeepAlive: true, timezone: 'Z', decimalNumbers: false });
}

export const pimDb = (pool: mysql.Pool): PimDb =>
  drizzle(pool, { schema: pimSchema, mode: 'default', casing: 'snake_case' });
export const storeDb = (pool: mysql.Pool): StoreDb =>
  drizzle(pool, { schema: storeSchema, mode: 'default', casing: 'snake_case' });
export const ordersDb = (pool: mysql.Pool): OrdersDb =>
  drizzle(pool, { schema: ordersSchema, mode: 'default', casing: 'snake_case' });

export { pimSchema, storeSchema, ordersSchema };
