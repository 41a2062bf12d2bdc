export * from './catalog-backfill';
export * from './catalog-sync';
export * from './product-publish';
