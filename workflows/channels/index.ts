export * from './channel-sync';
export * from './channel-rules-change';
