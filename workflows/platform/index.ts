export * from './health-check';
export * from './outbox-relay';
export * from './scan-incoming';
