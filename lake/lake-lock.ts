import type mysql from 'mysql2/promise';

/**
 * Serialises writers of one lake table: a partition is read, merged and replaced, so two writers of the same table
 * (two Lightspeed shops, a backfill beside the incremental run) must take turns or one's rows are lost.
 */
export interface LakeLock {
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Within one process only (tests, CLI, benches). */
export function processLakeLock(): LakeLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    async withLock(key, fn) {
      const before = tails.get(key) ?? Promise.resolve();
      const run = before.then(fn, fn);
      const tail = run.catch(() => undefined);
      tails.set(key, tail);
      try {
        return await run;
      } finally {
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}

/**
 * Across workers: MariaDB's named lock (GET_LOCK), held on one pooled connection for the write. A worker killed
 * mid-write drops its connection, and with it the lock. Waits up to `timeoutSeconds`, then fails (retryable).
 */
export function mysqlLakeLock(pool: mysql.Pool, timeoutSeconds = 120): LakeLock {
  const local = processLakeLock();
  return {
    withLock: (key, fn) =>
      local.withLock(key, async () => {
        const conn = await pool.getConnection();
        // Names longer than 64 characters are refused; table keys are short, but keep it safe.
        const name = `lake:${key}`.slice(0, 64);
        try {
          const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [name, timeoutSeconds]);
          if (Number(rows[0]?.ok) !== 1)
            throw new Error(`lake table ${key} is locked by another writer (waited ${timeoutSeconds}s)`);
          try {
            return await fn();
          } finally {
            await conn.query('SELECT RELEASE_LOCK(?)', [name]);
          }
        } finally {
          conn.release();
        }
      }),
  };
}
