import { describe, expect, it } from 'vitest';
import { CostBudget, Gate, limitsFor, type Clock } from '../../../connectors/shopify/budget';
import { verifyWebhook, webhookDedupeKey } from '../../../connectors/shopify/webhooks';
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

  it('starts from a Standard-plan guess and adopts the first reply, even when it shows a bigger (Plus) bucket', async () => {
    const clock = fakeClock();
    const budget = new CostBudget(undefined, clock);
    expect(budget.snapshot()).toEqual({ maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 });
    await budget.acquire(10);
    await budget.acquire(10);
    budget.settle(10, { maximumAvailable: 20000, currentlyAvailable: 19990, restoreRate: 1000 }, 10);
    expect(budget.snapshot()).toEqual({ maximumAvailable: 20000, currentlyAvailable: 19980, restoreRate: 1000 });
    budget.settle(10, { maximumAvailable: 20000, currentlyAvailable: 19995, restoreRate: 1000 }, 10);
    expect(budget.snapshot().currentlyAvailable).toBe(19980); // later replies may only lower it
  });

  it('charges the part of the actual cost the estimate missed', async () => {
    const clock = fakeClock();
    const budget = new CostBudget({ maximumAvailable: 100, currentlyAvailable: 100, restoreRate: 10 }, clock);
    await budget.acquire(10);
    budget.settle(10, undefined, 25);
    expect(budget.snapshot().currentlyAvailable).toBe(75);
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

describe('cost budget over time', () => {
  it('sustains the restore rate with many concurrent callers and never goes below zero', async () => {
    const clock = fakeClock();
    const budget = new CostBudget({ maximumAvailable: 200, currentlyAvailable: 200, restoreRate: 100 }, clock);
    let spent = 0;
    let lowest = Infinity;
    // 16 callers of cost 12, each reply arriving at once with Shopify's (identical) view of the bucket.
    const caller = async () => {
      while (clock.t < 60_000) {
        await budget.acquire(12);
        spent += 12;
        const view = budget.snapshot();
        lowest = Math.min(lowest, view.currentlyAvailable);
        budget.settle(12, { ...view, currentlyAvailable: view.currentlyAvailable }, 12);
      }
    };
    await Promise.all(Array.from({ length: 16 }, caller));
    const sustained = (spent - 200) / (clock.t / 1000);
    expect(sustained).toBeGreaterThan(95);
    expect(sustained).toBeLessThanOrEqual(100.5);
    expect(lowest).toBeGreaterThanOrEqual(0);
  });

  it('after THROTTLED (nothing charged) adopts the server view minus what is still in flight', async () => {
    const clock = fakeClock();
    const budget = new CostBudget({ maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 100 }, clock);
    await budget.acquire(100);
    await budget.acquire(100); // both in flight
    budget.settle(100, { maximumAvailable: 1000, currentlyAvailable: 50, restoreRate: 100 }, null);
    expect(budget.snapshot().currentlyAvailable).toBe(-50); // 50 at Shopify, 100 still owed by the other request
    await budget.acquire(100);
    expect(clock.t).toBeGreaterThanOrEqual(1500);
  });
});

describe('process-wide limits', () => {
  it('one budget and one gate per shop and endpoint, shared by every client', () => {
    expect(limitsFor('Shop-A.myshopify.com')).toBe(limitsFor('shop-a.myshopify.com'));
    expect(limitsFor('shop-a.myshopify.com', 'http://127.0.0.1:1')).not.toBe(limitsFor('shop-a.myshopify.com'));
  });

  it('the gate bounds requests in flight and admits waiters in order', async () => {
    const gate = new Gate(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        gate.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          order.push(n);
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
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
    expect(verifyWebhook(body, 'c2hvcnQ=', secret)).toBe(false); // 5 bytes, not 32
    expect(verifyWebhook(body, `${sign(body)}AAAA`, secret)).toBe(false); // right prefix, too long
    expect(verifyWebhook(body, 'not base64 at all!!', secret)).toBe(false);
    const forged = Buffer.from(sign(body), 'base64');
    forged[0] = forged[0]! ^ 1; // same length, one bit off
    expect(verifyWebhook(body, forged.toString('base64'), secret)).toBe(false);
    expect(verifyWebhook(Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1)), sign(body), secret)).toBe(
      false,
    ); // re-serialised, not raw
  });
  it('dedupes by event id first, then webhook id', () => {
    expect(webhookDedupeKey({ 'x-shopify-event-id': 'e1', 'x-shopify-webhook-id': 'w1' })).toBe('event:e1');
    expect(webhookDedupeKey({ 'x-shopify-webhook-id': 'w1' })).toBe('webhook:w1');
    expect(webhookDedupeKey({})).toBeUndefined();
  });
});
