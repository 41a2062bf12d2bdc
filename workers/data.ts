import { loadConfig } from './config';
import { runWorkers } from './run';

// The `data` task queue alone: bulk MySQL, S3, DynamoDB and Parquet work.
await runWorkers(loadConfig(), ['data']);
