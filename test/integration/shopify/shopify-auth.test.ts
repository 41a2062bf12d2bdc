import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientCredentialsTokens, runBulkQuery, ShopifyClient } from '../../../connectors/shopify';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { dynamoTokenStore } from '../../../lake/shopify-token-store';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { createShopifyClient } from '../../../workers/shopify-client';
import { rawAdmin } from '../../support/sandbox-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SHOP_QUERY = '{ shop { myshopifyDomain } }';

/** The grant as shopify.dev "About client credentials" shows it: a form POST to /admin/oauth/access_token. */
async function grant(sb: ShopifySandbox, secret = sb.clientSecret) {
  const res = await fetch(`${sb.url}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sb.clientId, client_secret: secret }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('authentication a shop set up today can use (client-credentials grant) and scopes', () => {
  const config = loadConfig();
  const dynamo = createDynamoClient(config.aws);
  const prefix = `${config.aws.tablePrefix}auth-`;
  let sb: ShopifySandbox;
  beforeAll(async () => {
    sb = await startShopifySandbox({ tokenLifetimeSeconds: 3 });
    await ensureTables(dynamo, prefix);
  });
  afterAll(async () => {
    await sb.close();
    dynamo.destroy();
  });

  it('the sandbox grants {access_token, scope, expires_in} (86,399 s by default) and refuses a wrong secret', async () => {
    const day = await startShopifySandbox();
    try {
      const ok = await grant(day);
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ access_token: expect.stringMatching(/^shpat_/), expires_in: 86_399 });
      expect(String(ok.json.scope).split(',')).toContain('read_all_orders');
      expect((await rawAdmin(day, ok.json.access_token as string)(SHOP_QUERY)).status).toBe(200);
      const refused = await grant(day, 'wrong');
      expect(refused).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    } finally {
      await day.close();
    }
  });

  it('an expired or unknown token gets 401 with Shopify’s body', async () => {
    const { json } = await grant(sb);
    const admin = rawAdmin(sb, json.access_token as string);
    expect((await admin(SHOP_QUERY)).status).toBe(200);
    await sleep(3_100);
    const expired = await admin(SHOP_QUERY);
    expect(expired).toEqual({
      status: 401,
      json: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' },
    });
    expect((await rawAdmin(sb, 'shpat_unknown')(SHOP_QUERY)).status).toBe(401);
  });

  it('the client fetches a token once, refreshes it before expiry, and on a 401 retries once with a fresh one', async () => {
    const tokens = new ClientCredentialsTokens({
      shop: sb.shop,
      clientId: sb.clientId,
      clientSecret: sb.clientSecret,
      tokenUrl: `${sb.url}/admin/oauth/access_token`,
      refreshBeforeMs: 1_500,
    });
    const client = new ShopifyClient({ shop: sb.shop, adminUrl: sb.adminGraphqlUrl, tokens });
    const shop = () => client.request({ name: 'shop', query: SHOP_QUERY, estimatedCost: 1 } as never);
    const before = sb.access.grants;
    await Promise.all(Array.from({ length: 10 }, shop));
    expect(sb.access.grants - before).toBe(1); // one in-flight refresh for ten concurrent callers
    await sleep(1_700); // inside the refresh window (1.5 s before the 3 s expiry)
    await shop();
    expect(sb.access.grants - before).toBe(2);
    sb.access.revokeGranted(); // the cached token is now refused: 401
    await expect(shop()).resolves.toMatchObject({ shop: { myshopifyDomain: sb.shop } });
    expect(sb.access.grants - before).toBe(3);
    expect(client.stats.retries).toBe(0); // the 401 was answered inside the one attempt, not by the retry loop
  });

  it('workers share one token through DynamoDB: concurrent processes refresh once between them', async () => {
    const shop = `auth-${randomUUID().slice(0, 8)}.myshopify.com`;
    const store = dynamoTokenStore(dynamo, prefix);
    const processes = Array.from(
      { length: 4 },
      () =>
        new ClientCredentialsTokens({
          shop,
          clientId: sb.clientId,
          clientSecret: sb.clientSecret,
          tokenUrl: `${sb.url}/admin/oauth/access_token`,
          store,
          refreshBeforeMs: 500,
        }),
    );
    const before = sb.access.grants;
    const got = await Promise.all(processes.flatMap((p) => Array.from({ length: 5 }, () => p.token())));
    expect(new Set(got).size).toBe(1);
    expect(sb.access.grants - before).toBe(1);
    expect((await store.read(shop))?.accessToken).toBe(got[0]);
  });

  it('createShopifyClient uses SHOPIFY_CLIENT_ID/SECRET: the connector works with client credentials', async () => {
    const c = loadConfig({
      ...process.env,
      SHOPIFY_SHOP: sb.shop,
      SHOPIFY_ADMIN_URL: sb.adminGraphqlUrl,
      SHOPIFY_CLIENT_ID: sb.clientId,
      SHOPIFY_CLIENT_SECRET: sb.clientSecret,
      DYNAMODB_TABLE_PREFIX: prefix,
    });
    const client = createShopifyClient(c, dynamo);
    const reply = await client.request({ name: 'shop', query: SHOP_QUERY, estimatedCost: 1 } as never);
    expect(reply).toMatchObject({ shop: { myshopifyDomain: sb.shop } });
    // The client's errors never carry the secret or a token.
    const wrong = createShopifyClient(
      { ...c, shopify: { ...c.shopify, clientCredentials: { clientId: 'x', clientSecret: 'very-secret-1' } } },
      dynamo,
    );
    const err = await wrong
      .request({ name: 'shop', query: SHOP_QUERY, estimatedCost: 1 } as never)
      .catch((e: Error) => e);
    expect(String((err as Error).message)).not.toMatch(/very-secret-1|shpat_/);
  });

  // "Only the last 60 days' worth of orders from a store are accessible from the Order object by default. If you
  // want to access older records, then you need to request access to all orders." (shopify.dev, Order object)
  it('without read_all_orders an app sees only the last 60 days of orders, in pages and in bulk', async () => {
    const scoped = await startShopifySandbox({ scopes: ['read_orders', 'read_products'], bulkRowsPerSecond: 50_000 });
    try {
      scoped.storefront.placeOrders({ count: 120, spreadDays: 150 });
      const cutoff = Date.now() - 60 * 86_400_000 + 60_000;
      const all = [...scoped.state.orders.values()];
      const recent = all.filter((o) => Date.parse(o.createdAt) >= cutoff);
      expect(recent.length).toBeLessThan(all.length);
      const admin = rawAdmin(scoped);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const { json } = await admin(
          'query($after: String) { orders(first: 50, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }',
          { after },
        );
        seen.push(...json.data.orders.nodes.map((n: { id: string }) => n.id));
        after = json.data.orders.pageInfo.hasNextPage ? json.data.orders.pageInfo.endCursor : null;
      } while (after);
      expect(seen.length).toBe(recent.length);
      const old = all.find((o) => Date.parse(o.createdAt) < cutoff - 86_400_000)!;
      expect((await admin('query($id: ID!) { order(id: $id) { id } }', { id: old.id })).json.data.order).toBeNull();
      const client = new ShopifyClient({
        shop: scoped.shop,
        accessToken: scoped.accessToken,
        adminUrl: scoped.adminGraphqlUrl,
      });
      let bulk = 0;
      for await (const _ of runBulkQuery(client, '{ orders { edges { node { id } } } }', { intervalMs: 50 })) bulk++;
      expect(bulk).toBe(recent.length);
    } finally {
      await scoped.close();
    }
  });
});
