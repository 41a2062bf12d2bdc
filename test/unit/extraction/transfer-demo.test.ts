import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { seedProduct } from '../../../sandbox/shopify/catalog-objects';
import { demoTransfers } from '../../../sandbox/shopify/transfer-demo';

const DAY = 86_400_000;

// CI on 2026-12-02 (a Wednesday): demo-transfers failed with no truck in transit. The weekly grid started at `from`,
// so on some weekdays of `to` the last week's trucks had been received already. The demo promises the last week's
// trucks are still in transit, whatever day npm start runs.
describe('demo transfers (npm start): the last week is in transit on every weekday', () => {
  let sb: ShopifySandbox;
  beforeAll(async () => {
    sb = await startShopifySandbox({});
    for (let i = 1; i <= 40; i++)
      seedProduct(sb.state, {
        handle: `p-${i}`,
        title: `Product ${i}`,
        sku: `TD-${String(i).padStart(4, '0')}`,
        price: '1.99',
        levels: new Map(),
      });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('places trucks received and trucks in transit for a `to` on each day of a week', () => {
    const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    for (let back = 0; back < 7; back++) {
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const to = today - back * DAY;
      const counts = demoTransfers(sb.state, sb.transfers, { from: day(to - 120 * DAY), to: day(to) });
      expect(counts.received, `to ${day(to)}`).toBeGreaterThan(0);
      expect(counts.inTransit, `to ${day(to)}`).toBeGreaterThan(0);
      expect(counts.transfers, `to ${day(to)}`).toBeGreaterThan(50); // 17 weeks or more × 3 stores, and swaps
    }
  });
});
