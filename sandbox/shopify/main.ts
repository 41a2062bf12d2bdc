import { parseArgs } from 'node:util';
import { startShopifySandbox, type ShopifyPlan } from './index';

// `tsx sandbox/shopify/main.ts --port 8700 --plan plus [--orders-per-minute 6] [--data-dir DIR]`: the sandbox on its own.
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SHOPIFY_SANDBOX_PORT ?? '8700' },
    plan: { type: 'string', default: process.env.SHOPIFY_SANDBOX_PLAN ?? 'plus' },
    host: { type: 'string', default: process.env.SHOPIFY_SANDBOX_HOST ?? '127.0.0.1' },
    'orders-per-minute': { type: 'string', default: process.env.SHOPIFY_SANDBOX_ORDERS_PER_MINUTE ?? '0' },
    'data-dir': { type: 'string', default: process.env.SHOPIFY_SANDBOX_DATA_DIR },
  },
});
const sandbox = await startShopifySandbox({
  port: Number(values.port),
  host: values.host,
  plan: values.plan as ShopifyPlan,
  dataDir: values['data-dir'],
});
console.log(`Shopify sandbox: ${sandbox.adminGraphqlUrl} (inspection: ${sandbox.url}/_sandbox/stats)`);
sandbox.storefront.start(Number(values['orders-per-minute']), {
  highRiskRate: 0.05,
  malformedRate: 0.02,
  refundRate: 0.1,
});
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
