import { existsSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { drizzle } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';

import { DATABASES, type DatabaseUrls } from './databases';

export { DATABASES, type Database, type DatabaseUrls } from './databases';

const migrationsDir = (db: keyof DatabaseUrls) => path.resolve(import.meta.dirname, db, 'migrations');

/**
 * Applies the committed drizzle-kit migrations to each database, each on a single connection.
 * With `createDatabases`, a missing database is created first (local stack and tests).
 */
export async function migrateAll(urls: DatabaseUrls, { createDatabases = false } = {}): Promise<void> {
  for (const db of DATABASES) {
    if (createDatabases) await createDatabase(urls[db]);
    // A database whose area has no tables yet has no journal: nothing to apply.
    if (!existsSync(path.join(migrationsDir(db), 'meta', '_journal.json'))) continue;
    const connection = await mysql.createConnection({ uri: urls[db], multipleStatements: true });
    try {
      // drizzle's migrator takes no lock: a second process migrating at the same moment (a worker starting
      // beside `npm start`) would replay the same CREATE TABLEs. A named lock serialises them.
      const lock = `migrate:${databaseName(urls[db])}`.slice(0, 64);
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [lock, 300]);
      if (rows[0]?.ok !== 1) throw new Error(`Timed out waiting for the migration lock of the ${db} database`);
      try {
        await migrate(drizzle(connection), { migrationsFolder: migrationsDir(db) });
      } finally {
        await connection.query('SELECT RELEASE_LOCK(?)', [lock]);
      }
    } finally {
      await connection.end();
    }
  }
}

/** CREATE DATABASE IF NOT EXISTS for the database a URL names (identifier escaped by the driver). */
export async function createDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const u = new URL(url);
  u.pathname = '/';
  const connection = await mysql.createConnection({ uri: u.toString() });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS ${connection.escapeId(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const u = new URL(url);
  u.pathname = '/';
  const connection = await mysql.createConnection({ uri: u.toString() });
  try {
    await connection.query(`DROP DATABASE IF EXISTS ${connection.escapeId(name)}`);
  } finally {
    await connection.end();
  }
}

/** The database a mysql:// URL names. */
export function databaseName(url: string): string {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  // The message names the host only: the URL may carry a password.
  if (!name) throw new Error(`The database URL for ${u.host} names no database`);
  return name;
}
