export * from './intake';
export * from './inventory-sync';
export * from './stock-pickup';
export * from './recon';
export * from './stock-push';
