import { describe, expect, it } from 'vitest';
import { CostBudget, type Clock } from '../../connectors/shopify/budget';
import { verifyWebhook, webhookDedupeKey } from '../../connectors/shopify/webhooks';
import { createHmac } from 'node:crypto';

function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

describe('cost budget', () => {
  it('waits before sending until the bucket covers the cost, at the restore rate', async () => {
    const clock = fakeClock();
    const budget = new CostBudget({ maximumAvailable: 100, currentlyAvailable: 100, restoreRate: 50 }, clock);
    for (let i = 0; i < 10; i++) await budget.acquire(10);
    expect(clock.t).toBe(0); // the first 100 points are there already
    await budget.acquire(50);
    expect(clock.t).toBeGreaterThanOrEqual(1000); // 50 more points take a second at 50/s
    expect(clock.t).toBeLessThan(1010);
  });

  it("adopts Shopify's lower view of the bucket from a reply, and refunds unused reservations", async () => {
    const clock = fakeClock();
    const budget = new CostBudget({ maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 100 }, clock);
    await budget.acquire(100);
    budget.settle(100, { maximumAvailable: 2000, currentlyAvailable: 300, restoreRate: 200 }, 100);
    expect(budget.snapshot()).toEqual({ maximumAvailable: 2000, currentlyAvailable: 300, restoreRate: 200 });
    await budget.acquire(100);
    budget.settle(100, { maximumAvailable: 2000, currentlyAvailable: 1900, restoreRate: 200 }, 10);
    expect(budget.snapshot().currentlyAvailable).toBe(290); // 300 - 100 + 90 refunded; never raised by the server's number
  });

  it('serves concurrent callers in order, never overspending', async () => {
    const clock = fakeClock();
    const budget = new CostBudget({ maximumAvailable: 30, currentlyAvailable: 30, restoreRate: 10 }, clock);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map((n) => budget.acquire(10).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(clock.t).toBeGreaterThanOrEqual(2000);
    expect(budget.snapshot().currentlyAvailable).toBeGreaterThanOrEqual(0);
  });
});

describe('webhook verification', () => {
  const secret = 'whsec_test';
  const body = Buffer.from('{"id":1,"total_price":"10.00"}');
  const sign = (b: Buffer) => createHmac('sha256', secret).update(b).digest('base64');

  it('accepts the HMAC of the raw body', () => {
    expect(verifyWebhook(body, sign(body), secret)).toBe(true);
  });
  it('rejects a forged body, a wrong secret, a missing or wrong-length header', () => {
    expect(verifyWebhook(Buffer.from('{"id":1,"total_price":"0.01"}'), sign(body), secret)).toBe(false);
    expect(verifyWebhook(body, createHmac('sha256', 'other').update(body).digest('base64'), secret)).toBe(false);
    expect(verifyWebhook(body, undefined, secret)).toBe(false);
    expect(verifyWebhook(body, 'c2hvcnQ=', secret)).toBe(false);
  });
  it('dedupes by event id first, then webhook id', () => {
    expect(webhookDedupeKey({ 'x-shopify-event-id': 'e1', 'x-shopify-webhook-id': 'w1' })).toBe('event:e1');
    expect(webhookDedupeKey({ 'x-shopify-webhook-id': 'w1' })).toBe('webhook:w1');
    expect(webhookDedupeKey({})).toBeUndefined();
  });
});
