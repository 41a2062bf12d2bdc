// The extraction area's workflows (Shopify, Lightspeed, Stocky → lake).
export * from './lightspeed-extract';
export * from './shopify-extract';
export * from './shopify-backfill';
