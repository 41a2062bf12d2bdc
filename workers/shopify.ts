import { loadConfig } from './config';
import { runWorkers } from './run';

// The `shopify` task queue alone: every Shopify API call, under one process-wide cost budget.
await runWorkers(loadConfig(), ['shopify']);
