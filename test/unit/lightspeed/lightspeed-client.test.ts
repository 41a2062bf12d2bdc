import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  asList,
  BucketPacer,
  cents,
  LightspeedClient,
  LightspeedFieldError,
  LightspeedPageError,
  bool,
  int,
} from '../../../connectors/lightspeed';
import { startLightspeedSandbox, type LightspeedSandbox } from '../../../sandbox/lightspeed';

let sb: LightspeedSandbox | undefined;
afterEach(() => sb?.close());

/** Tokens straight from the sandbox's token endpoint (the DB-backed store has its own integration test). */
function tokens(s: LightspeedSandbox) {
  let refresh = s.initialRefreshToken;
  let access: string | undefined;
  return {
    refreshes: 0,
    async accessToken() {
      if (access) return access;
      const r = (await (
        await fetch(s.tokenUrl, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: refresh,
            client_id: s.clientId,
            client_secret: s.clientSecret,
          }),
        })
      ).json()) as { access_token: string; refresh_token: string };
      this.refreshes++;
      refresh = r.refresh_token;
      return (access = r.access_token);
    },
    invalidate(t: string) {
      if (access === t) access = undefined;
    },
  };
}

describe('Lightspeed values', () => {
  it('parses one record (object) and several (array) alike, and strings into cents, ints and booleans', () => {
    expect(asList({ a: '1' })).toEqual([{ a: '1' }]);
    expect(asList([{ a: '1' }, { a: '2' }])).toHaveLength(2);
    expect(asList(undefined)).toEqual([]);
    expect(cents({ x: '12.345' }, 'x')).toBe(1235);
    expect(cents({ x: '-0.5' }, 'x')).toBe(-50);
    expect(cents({ x: '7' }, 'x')).toBe(700);
    expect(int({ x: '42' }, 'x')).toBe(42);
    expect(bool({ x: 'false' }, 'x')).toBe(false);
    expect(() => cents({ x: 12.5 }, 'x')).toThrow(LightspeedFieldError);
    expect(() => int({}, 'x')).toThrow(/missing/);
  });
});

describe('LightspeedClient', () => {
  it('pages every sale by @attributes.next, paced by the bucket headers: no 429, close to what the bucket allows', async () => {
    sb = await startLightspeedSandbox({ days: 3, salesPerShopDay: 30, items: 200, bucket: { size: 8, drip: 10 } });
    const client = new LightspeedClient({
      apiUrl: sb.apiUrl,
      accountId: String(sb.accountID),
      credentials: tokens(sb),
      pacer: new BucketPacer(),
    });
    const started = performance.now();
    const ids = new Set<string>();
    for await (const page of client.pages('Sale', { limit: '5' }))
      for (const s of LightspeedClient.records(page, 'Sale')) ids.add(String(s.saleID));
    const seconds = (performance.now() - started) / 1000;
    expect(ids.size).toBe(sb.account.sales.headers.length);
    expect(sb.stats.throttled).toBe(0);
    const allowed = 8 + 10 * seconds;
    expect(client.stats.requests / allowed).toBeGreaterThan(0.75);
  });

  it('pages with prefetch: the next page is requested while the caller still works on this one; an unreadable one is thrown when the caller reaches it', async () => {
    sb = await startLightspeedSandbox({ days: 1, salesPerShopDay: 30, items: 50 });
    let calls = 0;
    let cutAfter = Infinity;
    const client = new LightspeedClient({
      apiUrl: sb.apiUrl,
      accountId: String(sb.accountID),
      credentials: tokens(sb),
      pacer: new BucketPacer(),
      attempts: 1,
      // From call `cutAfter` on, replies are cut off (as a dropped transfer): the client cannot read them.
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (++calls <= cutAfter) return res;
        return new Response((await res.text()).slice(0, 40), { status: 200, headers: res.headers });
      },
    });
    const pages = client.pages('Sale', { limit: '5' }, undefined, { prefetch: true });
    const first = await pages.next();
    expect(first.value!.next).toMatch(/after=/);
    // The caller holds page 1 and has not asked for page 2: it is requested already.
    await vi.waitFor(() => expect(sb!.stats.byResource.Sale).toBe(2), { timeout: 10_000, interval: 20 });
    cutAfter = calls;
    const second = await pages.next();
    expect(LightspeedClient.records(second.value!, 'Sale')).toHaveLength(5);
    await expect(pages.next()).rejects.toBeInstanceOf(LightspeedPageError);
  });

  it('refreshes once on 401, retries 5xx and a cut-off page, and reports a page broken for good with its body', async () => {
    sb = await startLightspeedSandbox({ days: 1, salesPerShopDay: 3, items: 50 });
    const t = tokens(sb);
    const client = new LightspeedClient({
      apiUrl: sb.apiUrl,
      accountId: String(sb.accountID),
      credentials: t,
      pacer: new BucketPacer(),
    });
    await client.get(client.url('Shop'));
    sb.auth.expireAccessTokens();
    expect((await client.get(client.url('Shop'))).body.Shop).toBeDefined();
    expect(t.refreshes).toBe(2);
    sb.faults.set({ http5xxRate: 0.25, seed: 3 });
    for (let i = 0; i < 5; i++) await client.get(client.url('Register'));
    expect(client.stats.retries).toBeGreaterThan(0);
    sb.faults.set({ truncatedPageRate: 1 });
    const err = await client.get(client.url('Sale')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LightspeedPageError);
    expect((err as LightspeedPageError).body.length).toBeGreaterThan(10);
  });

  it('a 429 (another client drained the bucket) waits Retry-After and carries on', async () => {
    sb = await startLightspeedSandbox({ days: 1, salesPerShopDay: 3, items: 50, bucket: { size: 3, drip: 2 } });
    const client = new LightspeedClient({
      apiUrl: sb.apiUrl,
      accountId: String(sb.accountID),
      credentials: tokens(sb),
      pacer: new BucketPacer(),
    });
    await client.get(client.url('Shop'));
    sb.bucket.take(3 - sb.bucket.status().level - 0.01); // someone else's burst
    await client.get(client.url('Shop'));
    await client.get(client.url('Shop'));
    expect(client.stats.requests).toBeGreaterThanOrEqual(3);
  });
});
