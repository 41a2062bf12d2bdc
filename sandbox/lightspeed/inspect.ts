import type http from 'node:http';
import type { Account } from './account';
import type { AccountBucket } from './bucket';
import type { Faults, LightspeedFaults } from './faults';
import type { TokenAuthority } from './oauth';
import type { SandboxStats } from './index';

type Send = (status: number, body: unknown) => void;

/** /_sandbox/*: what tests and the demo use to look inside the account and steer it (no token needed). */
export function inspectionRoutes(ctx: {
  account: Account;
  auth: TokenAuthority;
  bucket: AccountBucket;
  faults: Faults;
  stats: SandboxStats;
}) {
  const { account, auth } = ctx;
  return async (req: http.IncomingMessage, url: URL, send: Send): Promise<void> => {
    const path = url.pathname.slice('/_sandbox'.length);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    if (req.method === 'GET' && path === '/stats')
      return send(200, {
        ...ctx.stats,
        auth: { ...auth.stats, refreshTokens: auth.counts() },
        bucket: ctx.bucket.status(),
        sales: account.sales.headers.length,
        faults: ctx.faults.current,
      });
    if (req.method === 'POST' && path === '/faults') {
      ctx.faults.set(body as LightspeedFaults);
      return send(200, ctx.faults.current);
    }
    if (req.method === 'POST' && path === '/authorize') return send(200, { refresh_token: auth.authorize() });
    if (req.method === 'POST' && path === '/expire-access-tokens') {
      auth.expireAccessTokens();
      return send(200, { ok: true });
    }
    if (req.method === 'POST' && path === '/sales') {
      const shopID = Number(body.shopID ?? 1);
      const count = Number(body.count ?? 1);
      const made = Array.from({ length: count }, () => account.sales.append(shopID, Date.now()).saleID);
      return send(200, { saleIDs: made });
    }
    if (req.method === 'POST' && path === '/void') {
      const h = account.sales.touch(Number(body.saleID), Date.now(), { voided: true });
      return send(200, { saleID: h.saleID, timeStamp: new Date(h.timeStamp).toISOString() });
    }
    if (req.method === 'GET' && path === '/day') {
      // The truth for one shop and day: what an extraction of that day must hold.
      const sales = account.salesOn(String(url.searchParams.get('date')), Number(url.searchParams.get('shopID')));
      let lines = 0;
      let totalCents = 0;
      for (const h of sales) {
        const d = account.sales.detail(h);
        lines += d.lines.length;
        if (!h.voided) totalCents += d.totalCents;
      }
      return send(200, { sales: sales.length, lines, totalCents });
    }
    return send(404, { error: `no inspection route ${req.method} ${path}` });
  };
}
