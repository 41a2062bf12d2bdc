import { parseArgs } from 'node:util';
import { startLightspeedSandbox } from './index';

// `tsx sandbox/lightspeed/main.ts --port 8703 [--shops 4] [--registers-per-shop 2] [--days 120]
//  [--sales-per-shop-day 30] [--items 2000]`: the sandbox on its own (the bench runs it in its own process).
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.LIGHTSPEED_SANDBOX_PORT ?? '8703' },
    host: { type: 'string', default: '127.0.0.1' },
    shops: { type: 'string', default: '4' },
    'registers-per-shop': { type: 'string', default: '2' },
    days: { type: 'string', default: '120' },
    'sales-per-shop-day': { type: 'string', default: '30' },
    items: { type: 'string', default: '2000' },
  },
});
const sandbox = await startLightspeedSandbox({
  port: Number(values.port),
  host: values.host,
  shops: Number(values.shops),
  registersPerShop: Number(values['registers-per-shop']),
  days: Number(values.days),
  salesPerShopDay: Number(values['sales-per-shop-day']),
  items: Number(values.items),
});
console.log(
  `Lightspeed sandbox: ${sandbox.apiUrl}/Account/${sandbox.accountID}/ (token: ${sandbox.tokenUrl}, inspection: ${sandbox.url}/_sandbox/stats)`,
);
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
