import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLightspeedSandbox, type LightspeedSandbox } from '../../../sandbox/lightspeed';

let sb: LightspeedSandbox;
let access: string;
const base = () => `${sb.apiUrl}/Account/${sb.accountID}`;
const refresh = (token: string) =>
  fetch(sb.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
    }),
  });
const get = (path: string) => fetch(`${base()}/${path}`, { headers: { authorization: `Bearer ${access}` } });
const q = (v: string) => encodeURIComponent(v);

beforeAll(async () => {
  sb = await startLightspeedSandbox({ days: 10, salesPerShopDay: 8, items: 300 });
  const r = (await (await refresh(sb.initialRefreshToken)).json()) as { access_token: string };
  access = r.access_token;
});
afterAll(() => sb.close());

describe('Lightspeed sandbox: OAuth (developers.lightspeedhq.com/retail/authentication/refresh-token/)', () => {
  it('"the previously used refresh token will be revoked once a new one is issued": a refresh rotates, a replay is invalid_grant', async () => {
    const first = sb.auth.authorize();
    const r1 = (await (await refresh(first)).json()) as Record<string, unknown>;
    expect(r1.expires_in).toBe(1800);
    expect(typeof r1.access_token).toBe('string');
    expect(r1.refresh_token).not.toBe(first);
    const replay = await refresh(first);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    expect(sb.auth.stats.replays).toBeGreaterThan(0);
    expect((await refresh(String(r1.refresh_token))).status).toBe(200);
    access = ((await (await refresh(sb.auth.authorize())).json()) as { access_token: string }).access_token;
  });

  it('wrong client credentials are invalid_client (401); an unknown access token is 401', async () => {
    const r = await fetch(sb.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'x',
        client_id: 'x',
        client_secret: 'y',
      }),
    });
    expect(r.status).toBe(401);
    expect((await fetch(`${base()}/Shop.json`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });
});

describe('Lightspeed sandbox: V3 responses (developers.lightspeedhq.com/retail/introduction/introduction/)', () => {
  it('every value is a string; one record is an object, several an array', async () => {
    const one = (await (await get('Shop.json?shopID=2')).json()) as { Shop: Record<string, unknown> };
    expect(Array.isArray(one.Shop)).toBe(false);
    expect(one.Shop.shopID).toBe('2');
    const many = (await (await get('Shop.json')).json()) as { Shop: Record<string, unknown>[] };
    expect(many.Shop).toHaveLength(4);
    for (const s of many.Shop) for (const v of Object.values(s)) expect(typeof v).toBe('string');
  });

  it('Sale.json with load_relations nests SaleLines.SaleLine and SalePayments.SalePayment; totals add up', async () => {
    const rel = q('["SaleLines","SalePayments"]');
    const r = (await (await get(`Sale.json?limit=5&load_relations=${rel}`)).json()) as {
      Sale: { calcTotal: string; SaleLines: { SaleLine: { calcTotal: string }[] }; SalePayments: unknown }[];
    };
    expect(r.Sale).toHaveLength(5);
    for (const s of r.Sale) {
      const lines = [s.SaleLines.SaleLine].flat();
      expect(lines.length).toBeGreaterThanOrEqual(1);
      const sum = lines.reduce((a, l) => a + Math.round(Number(l.calcTotal) * 100), 0);
      expect(sum).toBe(Math.round(Number(s.calcTotal) * 100));
      expect(s.SalePayments).toBeDefined();
    }
  });

  it('pages by @attributes.next until it is empty, each record once, at most 100 per page; limit > 100 is refused', async () => {
    let url = `${base()}/Sale.json?shopID=1`;
    const seen = new Set<string>();
    let pages = 0;
    while (url) {
      const r = (await (await fetch(url, { headers: { authorization: `Bearer ${access}` } })).json()) as {
        '@attributes': { next: string };
        Sale?: { saleID: string } | { saleID: string }[];
      };
      const sales = r.Sale ? [r.Sale].flat() : [];
      expect(sales.length).toBeLessThanOrEqual(100);
      for (const s of sales) {
        expect(seen.has(s.saleID)).toBe(false);
        seen.add(s.saleID);
      }
      url = r['@attributes'].next;
      pages++;
    }
    const expected = sb.account.sales.headers.filter((h) => h.shopID === 1).length;
    expect(seen.size).toBe(expected);
    expect(pages).toBeGreaterThan(0);
    expect((await get('Sale.json?limit=101')).status).toBe(400);
  });

  it('timeStamp filters take operators (>, ><) and a later change moves timeStamp, not completeTime', async () => {
    const h = sb.account.sales.headers;
    const mid = h[Math.floor(h.length / 2)]!;
    const after = new Date(mid.completeTime).toISOString();
    const r = (await (await get(`Sale.json?timeStamp=${q(`>,${after}`)}`)).json()) as { Sale: { saleID: string }[] };
    expect(Number([r.Sale].flat()[0]!.saleID)).toBeGreaterThan(mid.saleID - 5);
    sb.account.sales.touch(3, Date.now(), { voided: true });
    const since = new Date(Date.now() - 60_000).toISOString();
    const changed = (await (await get(`Sale.json?timeStamp=${q(`>,${since}`)}`)).json()) as {
      Sale: { saleID: string; voided: string };
    };
    expect(changed.Sale).toMatchObject({ saleID: '3', voided: 'true' });
    const day = new Date(h[0]!.completeTime).toISOString().slice(0, 10);
    const between = (await (
      await get(`Sale.json?completeTime=${q(`><,${day}T00:00:00Z,${day}T23:59:59Z`)}&limit=100`)
    ).json()) as { Sale: unknown[] };
    expect([between.Sale].flat().length).toBe(sb.account.salesOn(day).length);
    expect((await get('Sale.json?timeStamp=%3E%2Cnot-a-date')).status).toBe(400);
    expect((await get('Sale.json?nonsense=1')).status).toBe(400);
  });

  it('SaleLine, SalePayment, Item, ItemShop, Register, TaxCategory, PaymentType list', async () => {
    for (const name of ['SaleLine', 'SalePayment', 'Item', 'ItemShop', 'Register', 'TaxCategory', 'PaymentType']) {
      const r = (await (await get(`${name}.json?limit=3`)).json()) as Record<string, unknown>;
      expect(r[name], name).toBeDefined();
    }
    const lines = (await (await get('SaleLine.json?saleID=5')).json()) as { SaleLine: { saleID: string }[] };
    expect([lines.SaleLine].flat().every((l) => l.saleID === '5')).toBe(true);
  });

  it('the daily accounting report sums the day’s non-voided payments per shop and payment type', async () => {
    const day = new Date(sb.account.sales.headers[40]!.completeTime).toISOString().slice(0, 10);
    const r = (await (await get(`Reports/Accounting/PaymentsByDay.json?startDate=${day}&shopID=1`)).json()) as {
      PaymentsByDay: { amount: string }[];
    };
    const reported = [r.PaymentsByDay].flat().reduce((a, p) => a + Math.round(Number(p.amount) * 100), 0);
    const truth = sb.account
      .salesOn(day, 1)
      .filter((h) => !h.voided)
      .reduce((a, h) => a + sb.account.sales.detail(h).totalCents, 0);
    expect(reported).toBe(truth);
  });
});

describe('Lightspeed sandbox: leaky bucket (developers.lightspeedhq.com/retail/introduction/ratelimits/)', () => {
  it('every reply carries X-LS-API-Bucket-Level and X-LS-API-Drip-Rate; overflowing the bucket is 429 with Retry-After', async () => {
    const small = await startLightspeedSandbox({
      days: 1,
      salesPerShopDay: 2,
      items: 20,
      bucket: { size: 5, drip: 1 },
    });
    try {
      const token = small.auth.authorize();
      const t = (await (
        await fetch(small.tokenUrl, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: token,
            client_id: small.clientId,
            client_secret: small.clientSecret,
          }),
        })
      ).json()) as { access_token: string };
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 7; i++) {
        last = await fetch(`${small.apiUrl}/Account/${small.accountID}/Shop.json`, {
          headers: { authorization: `Bearer ${t.access_token}` },
        });
        expect(last.headers.get('x-ls-api-bucket-level')).toMatch(/^[\d.]+\/5$/);
        expect(last.headers.get('x-ls-api-drip-rate')).toBe('1');
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.at(-1)).toBe(429);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await small.close();
    }
  });

  it('the bucket grows with the account’s registers', async () => {
    const { bucketForRegisters } = await import('../../../sandbox/lightspeed/bucket');
    expect(bucketForRegisters(1)).toEqual({ size: 90, drip: 1 });
    expect(bucketForRegisters(9).size).toBeGreaterThan(90);
    expect(bucketForRegisters(9).drip).toBeGreaterThan(1);
  });
});

describe('Lightspeed sandbox: demo account', () => {
  it('is deterministic, grocery-sized (15–80 lines, some over 100) with voids and refunds', async () => {
    const a = await startLightspeedSandbox({ days: 30, salesPerShopDay: 20, items: 500 });
    const b = await startLightspeedSandbox({ days: 30, salesPerShopDay: 20, items: 500 });
    try {
      const ha = a.account.sales.headers;
      expect(ha.length).toBe(b.account.sales.headers.length);
      expect(a.account.sales.detail(ha[100]!)).toEqual(b.account.sales.detail(b.account.sales.headers[100]!));
      const sales = ha.filter((h) => h.kind === 'sale');
      expect(sales.some((h) => h.lineCount > 100)).toBe(true);
      expect(sales.filter((h) => h.lineCount <= 80).every((h) => h.lineCount >= 15)).toBe(true);
      expect(ha.some((h) => h.kind === 'void')).toBe(true);
      const refund = ha.find((h) => h.kind === 'refund')!;
      expect(a.account.sales.detail(refund).totalCents).toBeLessThan(0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
