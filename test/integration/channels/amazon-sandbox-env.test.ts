import { describe, expect, it } from 'vitest';

/**
 * test/global-setup.ts starts one Amazon sandbox for the run and exposes it to every test file through the
 * environment (names in sandbox/amazon/README.md), as a real account would be configured.
 */
describe('the shared Amazon sandbox of the integration run', () => {
  it('is reachable through AMAZON_LWA_URL and AMAZON_SPAPI_URL with the credentials in the environment', async () => {
    const env = process.env;
    for (const key of [
      'AMAZON_SPAPI_URL',
      'AMAZON_LWA_URL',
      'AMAZON_LWA_CLIENT_ID',
      'AMAZON_LWA_CLIENT_SECRET',
      'AMAZON_LWA_REFRESH_TOKEN',
      'AMAZON_SELLER_ID',
      'AMAZON_MARKETPLACE_ID',
      'AMAZON_VENDOR_PARTY_ID',
      'AMAZON_VENDOR_WAREHOUSES',
      'AMAZON_SANDBOX_URL',
    ])
      expect(env[key], key).toBeTruthy();
    const grant = await fetch(env.AMAZON_LWA_URL!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: env.AMAZON_LWA_REFRESH_TOKEN!,
        client_id: env.AMAZON_LWA_CLIENT_ID!,
        client_secret: env.AMAZON_LWA_CLIENT_SECRET!,
      }),
    });
    expect(grant.status).toBe(200);
    const { access_token } = (await grant.json()) as { access_token: string };
    const res = await fetch(
      `${env.AMAZON_SPAPI_URL}/listings/2021-08-01/items/${env.AMAZON_SELLER_ID}/NOT-LISTED?marketplaceIds=${env.AMAZON_MARKETPLACE_ID}`,
      { headers: { 'x-amz-access-token': access_token } },
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-RateLimit-Limit')).toBe('5.0');
    expect((await fetch(`${env.AMAZON_SANDBOX_URL}/_sandbox/stats`)).status).toBe(200);
  });
});
