import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { createLedger, type Ledger } from '../../../activities/inventory/ledger';
import { createLedgerReads, type LedgerReads } from '../../../activities/inventory/ledger-reads';
import { createPool, pimDb, storeDb, type PimDb, type StoreDb } from '../../../db/client';
import { seedDemoData } from '../../../db/seed';
import { createS3Client } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';
import { freshDatabases, type FreshDatabases } from '../db';

export interface LedgerFixture {
  urls: FreshDatabases;
  pools: { pim: Pool; store: Pool; inventory: Pool };
  pim: PimDb;
  store: StoreDb;
  s3: S3Client;
  quarantineBucket: string;
  ledger: Ledger;
  reads: LedgerReads;
  /** Some SKUs of the seeded catalogue. */
  skus: string[];
  query<T = RowDataPacket>(sql: string, params?: unknown[]): Promise<T[]>;
  readQuarantine(key: string): Promise<{ code: string; reason: string; movement: { key: string } }[]>;
  close(): Promise<void>;
}

/** Fresh databases seeded with `products` demo products (stores EMERALD, C, SUNSET, OISTINS) and a ledger on them. */
export async function ledgerFixture(opts: { products?: number } = {}): Promise<LedgerFixture> {
  const urls = await freshDatabases();
  const pools = { pim: createPool(urls.pim), store: createPool(urls.store), inventory: createPool(urls.inventory) };
  const pim = pimDb(pools.pim);
  const store = storeDb(pools.store);
  await seedDemoData({ pim, store }, { products: opts.products ?? 20, seed: 11 });
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const quarantineBucket = config.aws.buckets.quarantine;
  const ledger = createLedger({ ...pools, s3, quarantineBucket });
  const [rows] = await pools.pim.query<RowDataPacket[]>('SELECT sku FROM variants ORDER BY sku LIMIT 50');
  return {
    urls,
    pools,
    pim,
    store,
    s3,
    quarantineBucket,
    ledger,
    reads: createLedgerReads(pools),
    skus: rows.map((r) => r.sku as string),
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pools.inventory.query(sql, params))[0] as T[];
    },
    async readQuarantine(key) {
      const obj = await s3.send(new GetObjectCommand({ Bucket: quarantineBucket, Key: key }));
      return (await obj.Body!.transformToString())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    },
    async close() {
      s3.destroy();
      await Promise.all(Object.values(pools).map((p) => p.end()));
      await urls.drop();
    },
  };
}
