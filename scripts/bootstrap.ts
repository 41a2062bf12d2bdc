import { bootstrapStack } from '../stack/bootstrap';
import { loadConfig } from '../workers/config';

// Migrates the databases and creates buckets and tables against whatever the configuration points at.
await bootstrapStack(loadConfig());
console.log('bootstrap complete');
