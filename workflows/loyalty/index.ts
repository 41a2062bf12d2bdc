export * from './loyalty-convert';
export * from './loyalty-intake';
export * from './loyalty-store-export';
