import { parseArgs } from 'node:util';
import { startAmazonSandbox } from './index';

// `tsx sandbox/amazon/main.ts --port 8704 [--orders-per-minute 2] [--auto-catalog]`: the sandbox on its own.
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.AMAZON_SANDBOX_PORT ?? '8704' },
    host: { type: 'string', default: process.env.AMAZON_SANDBOX_HOST ?? '127.0.0.1' },
    'orders-per-minute': { type: 'string', default: process.env.AMAZON_SANDBOX_ORDERS_PER_MINUTE ?? '0' },
    'auto-catalog': { type: 'boolean', default: process.env.AMAZON_SANDBOX_AUTO_CATALOG === '1' },
  },
});
const sandbox = await startAmazonSandbox({
  port: Number(values.port),
  host: values.host,
  autoCatalog: values['auto-catalog'],
});
console.log(
  `Amazon sandbox: SP-API ${sandbox.url}, LWA ${sandbox.tokenUrl} (inspection: ${sandbox.url}/_sandbox/stats)`,
);
sandbox.marketplace.start(Number(values['orders-per-minute']));
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
