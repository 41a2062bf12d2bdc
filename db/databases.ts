/**
 * Every database the pipelines own, in migration order. `pim` and `store` stand for the retailer's PIM and store
 * systems; the others are the backbone's own: `orders` (ingest), `inventory` (the stock ledger), `channels`
 * (marketplace allocation and sync state) and `extraction` (source cursors and credentials for the lake).
 */
export const DATABASES = ['pim', 'store', 'orders', 'inventory', 'channels', 'extraction'] as const;
export type Database = (typeof DATABASES)[number];
export type DatabaseUrls = Record<Database, string>;
