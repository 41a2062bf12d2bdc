import { afterEach, describe, expect, it } from 'vitest';
import rateLimits from '../../../../shared/amazon/amazon-rate-limits.json' with { type: 'json' };
import { amazonSandbox, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

let h: AmazonSandboxHarness | undefined;
afterEach(async () => {
  await h?.sb.close();
  h = undefined;
});

describe('Amazon sandbox: usage plans as token buckets per operation', () => {
  // amazon-rate-limits.json: getListingsItem@listingsItems_2021-08-01.json rate 5, burst 10; patchListingsItem rate 5,
  // burst 5. The models: "The `x-amzn-RateLimit-Limit` response header returns the usage plan rate limits that were
  // applied to the requested operation"; ../shared/amazon/README.md: "429 with {"errors":[{"code":"QuotaExceeded",...}]}".
  it('serves a burst, then 429 QuotaExceeded with x-amzn-RateLimit-Limit; other operations are not throttled', async () => {
    const get = rateLimits['getListingsItem@listingsItems_2021-08-01.json'];
    expect(get).toMatchObject({ rate: 5, burst: 10 });
    h = await amazonSandbox({ catalog: [{ sku: 'BREAD-WHITE' }] });
    const { sb } = h;
    const path = `/listings/2021-08-01/items/${sb.config.sellerId}/BREAD-WHITE?marketplaceIds=${sb.config.marketplaceId}`;
    await h.sp('GET', '/feeds/2021-06-30/feeds/1'); // the harness's token, from another operation's bucket
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: 20 }, () => h!.sp('GET', path)));
    const seconds = (performance.now() - started) / 1000;
    const ok = replies.filter((r) => r.status === 200).length;
    // 10 from the burst, and what refilled at 5/s while the calls ran.
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(10 + Math.ceil(seconds * 5));
    const throttled = replies.find((r) => r.status === 429)!;
    expect((throttled.body as { errors: { code: string }[] }).errors[0]!.code).toBe('QuotaExceeded');
    for (const r of replies) expect(r.headers.get('x-amzn-RateLimit-Limit')).toBe('5.0');
    // patchListingsItem has its own bucket: still full.
    const patch = await h.sp('PATCH', path, {
      productType: 'GROCERY',
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }],
        },
      ],
    });
    expect(patch.status).toBe(200);
    // searchOrders 0.0056/s, createFeed 0.0083/s: the header names each operation's own plan.
    const orders = await h.sp('GET', `/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z`);
    expect(orders.headers.get('x-amzn-RateLimit-Limit')).toBe(
      String(rateLimits['searchOrders@orders_2026-01-01.json'].rate),
    );
  });

  it('refills at the plan rate, and a granted plan (inspection API) is what the header then reports', async () => {
    h = await amazonSandbox({ catalog: [{ sku: 'EGGS-12' }], rateLimits: { getListingsItem: { rate: 2, burst: 2 } } });
    const { sb } = h;
    const path = `/listings/2021-08-01/items/${sb.config.sellerId}/EGGS-12?marketplaceIds=${sb.config.marketplaceId}`;
    expect((await h.sp('GET', path)).status).toBe(200);
    expect((await h.sp('GET', path)).status).toBe(200);
    const third = await h.sp('GET', path);
    expect(third.status).toBe(429);
    expect(third.headers.get('x-amzn-RateLimit-Limit')).toBe('2.0');
    await new Promise((r) => setTimeout(r, 600)); // 2/s → a token in 500 ms
    expect((await h.sp('GET', path)).status).toBe(200);
    await h.inspect('/rate-limits', { getListingsItem: { rate: 0.5, burst: 1 } });
    const r = await h.sp('GET', path);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-amzn-RateLimit-Limit')).toBe('0.5');
    expect((await h.sp('GET', path)).status).toBe(429);
  });
});
