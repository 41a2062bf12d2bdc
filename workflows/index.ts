export * from './health-check';
export * from './product-publish';
export * from './outbox-relay';
export * from './catalog-backfill';
export * from './customers-import';
export * from './catalog-sync';
export * from './orders-ingest';
export * from './order-upsert';
