import { randomUUID } from 'node:crypto';
import { dropDatabase, migrateAll, type DatabaseUrls } from '../../db/migrate';

/** Uniquely named, migrated pim/store/orders databases on the test server, for one test file. */
export async function freshDatabases(): Promise<DatabaseUrls & { drop(): Promise<void> }> {
  const admin = process.env.MYSQL_ADMIN_URL;
  if (!admin) throw new Error('MYSQL_ADMIN_URL is not set (the integration global setup sets it)');
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const url = (name: string) => `${admin.replace(/\/?$/, '/')}${name}_${suffix}`;
  const urls = { pim: url('pim'), store: url('store'), orders: url('orders') };
  await migrateAll(urls, { createDatabases: true });
  return {
    ...urls,
    async drop() {
      await Promise.all(Object.values(urls).map(dropDatabase));
    },
  };
}
