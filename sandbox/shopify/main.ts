import { parseArgs } from 'node:util';
import { startShopifySandbox, type ShopifyPlan } from './index';

// `tsx sandbox/shopify/main.ts --port 8700 --plan plus [--orders-per-minute 6]`: the sandbox on its own.
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SHOPIFY_SANDBOX_PORT ?? '8700' },
    plan: { type: 'string', default: 'plus' },
    host: { type: 'string', default: '127.0.0.1' },
    'orders-per-minute': { type: 'string', default: '0' },
  },
});
const sandbox = await startShopifySandbox({
  port: Number(values.port),
  host: values.host,
  plan: values.plan as ShopifyPlan,
});
console.log(`Shopify sandbox: ${sandbox.adminGraphqlUrl} (inspection: ${sandbox.url}/_sandbox/stats)`);
const perMinute = Number(values['orders-per-minute']);
const timer = perMinute > 0 ? setInterval(() => sandbox.storefront.placeOrder(), 60_000 / perMinute) : undefined;
const stop = async () => {
  if (timer) clearInterval(timer);
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
