export * from './order-upsert';
export * from './orders-backfill';
export * from './orders-ingest';
export * from './orders-lake';
export * from './order-reservations';
export * from './order-routed';
