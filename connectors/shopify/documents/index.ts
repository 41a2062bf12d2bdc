export * from './define';
export * from './products';
export * from './inventory';
export * from './orders';
export * from './bulk';
export * from './webhooks';
export * from './extraction';
export * from './transfers';
