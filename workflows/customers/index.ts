export * from './customers-import';
