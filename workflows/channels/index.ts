export * from './channel-sync';
export * from './channel-rules-change';
export * from './channels-ledger-watch';
export * from './amazon-orders';
export * from './channel-reconcile';
