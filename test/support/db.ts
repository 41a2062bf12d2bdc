import { randomUUID } from 'node:crypto';
import { DATABASES, dropDatabase, migrateAll, type DatabaseUrls } from '../../db/migrate';

export interface FreshDatabases extends DatabaseUrls {
  pimUrl: string;
  storeUrl: string;
  ordersUrl: string;
  /** Drops the databases (call it in afterAll). */
  drop(): Promise<void>;
}

/** The URL of database `name` on the server an admin URL points at, keeping its credentials and options. */
export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** Uniquely named, migrated databases (every one in `DATABASES`) on the test server (MYSQL_ADMIN_URL), for one test file. */
export async function freshDatabases(): Promise<FreshDatabases> {
  const admin = process.env.MYSQL_ADMIN_URL;
  if (!admin) throw new Error('MYSQL_ADMIN_URL is not set (the integration global setup sets it)');
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const urls = Object.fromEntries(DATABASES.map((db) => [db, databaseUrl(admin, `${db}_${suffix}`)])) as DatabaseUrls;
  await migrateAll(urls, { createDatabases: true });
  return {
    ...urls,
    pimUrl: urls.pim,
    storeUrl: urls.store,
    ordersUrl: urls.orders,
    async drop() {
      await Promise.all(Object.values(urls).map(dropDatabase));
    },
  };
}
