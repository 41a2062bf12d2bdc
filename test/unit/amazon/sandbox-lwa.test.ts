import { afterEach, describe, expect, it } from 'vitest';
import { amazonSandbox, sleep, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

let h: AmazonSandboxHarness | undefined;
afterEach(async () => {
  await h?.sb.close();
  h = undefined;
});

const form = (o: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o),
});

describe('Amazon sandbox: Login with Amazon and the x-amz-access-token header', () => {
  // ../shared/amazon/README.md: "POST https://api.amazon.com/auth/o2/token (form: grant_type=refresh_token,
  // refresh_token, client_id, client_secret) -> {access_token, refresh_token, token_type:"bearer", expires_in:3600};
  // the token goes in the x-amz-access-token header".
  it('grants a bearer access token for 3,600 s from the refresh token', async () => {
    h = await amazonSandbox();
    const { sb } = h;
    const res = await fetch(
      sb.tokenUrl,
      form({
        grant_type: 'refresh_token',
        refresh_token: sb.refreshToken,
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600, refresh_token: sb.refreshToken });
    expect(typeof body.access_token).toBe('string');
  });

  it('refuses another grant type, a wrong client and a wrong refresh token (OAuth 2.0 errors)', async () => {
    h = await amazonSandbox();
    const { sb } = h;
    const base = {
      grant_type: 'refresh_token',
      refresh_token: sb.refreshToken,
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
    };
    const cases: [Record<string, string>, number, string][] = [
      [{ ...base, grant_type: 'client_credentials' }, 400, 'unsupported_grant_type'],
      [{ ...base, client_secret: 'nope' }, 401, 'invalid_client'],
      [{ ...base, refresh_token: 'Atzr|other' }, 400, 'invalid_grant'],
    ];
    for (const [params, status, error] of cases) {
      const res = await fetch(sb.tokenUrl, form(params));
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBe(error);
    }
  });

  // listingsItems_2021-08-01.json, getListingsItem responses.403: "Indicates that access to the resource is forbidden.
  // Possible reasons include Access Denied, Unauthorized, Expired Token, or Invalid Signature." — schema ErrorList.
  it('answers a missing, wrong or expired token with 403 Unauthorized in the ErrorList shape', async () => {
    h = await amazonSandbox({ tokenLifetimeSeconds: 2, catalog: [{ sku: 'MILK-1L' }] });
    const { sb } = h;
    const path = `/listings/2021-08-01/items/${sb.config.sellerId}/MILK-1L?marketplaceIds=${sb.config.marketplaceId}`;
    const call = (token?: string) =>
      fetch(`${sb.url}${path}`, { headers: token ? { 'x-amz-access-token': token } : {} });
    for (const res of [await call(), await call('Atza|forged')]) {
      expect(res.status).toBe(403);
      const body = (await res.json()) as { errors: { code: string; message: string }[] };
      expect(body.errors[0]).toMatchObject({
        code: 'Unauthorized',
        message: 'Access to requested resource is denied.',
      });
    }
    const token = await h.token();
    expect((await call(token)).status).toBe(200);
    await sleep(2100);
    const expired = await call(token);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { errors: { details: string }[] }).errors[0]!.details).toMatch(/expired/);
    expect((await call(await h.token())).status).toBe(200); // a refreshed token works again
    expect(sb.lwa.grants).toBe(2);
  });
});
