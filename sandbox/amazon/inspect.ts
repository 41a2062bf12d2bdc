import type http from 'node:http';
import type { Ctx, SandboxConfig } from './api';
import type { TokenBuckets } from './buckets';
import { readBody } from '../shopify/http-util';
import type { LoginWithAmazon } from './lwa';
import type { Marketplace, ShopperOptions } from './marketplace';
import type { ListingIssue, MarketplaceOrder } from './state';

type Send = (status: number, body: unknown) => void;

/**
 * The inspection API (/_sandbox/*): what tests and the demo use to look inside the selling partner's account and
 * steer it. It is not part of Amazon's API and needs no token.
 */
export function inspectionRoutes(
  ctx: Ctx,
  parts: { buckets: TokenBuckets; marketplace: Marketplace; lwa: LoginWithAmazon },
) {
  const { state } = ctx;
  const listingDump = (sku: string) => {
    const l = state.listing(sku) ?? state.listings.get(sku)!; // one not yet visible is shown too
    return {
      sku: l.sku,
      asin: l.asin ?? null,
      productType: l.productType,
      buyable: l.buyable,
      quantity: state.quantity(sku),
      pendingChanges: l.pending.length,
      attributes: l.attributes,
      issues: l.issues,
      lastUpdatedDate: l.lastUpdatedDate,
    };
  };
  return async (req: http.IncomingMessage, url: URL, send: Send): Promise<void> => {
    const path = url.pathname.slice('/_sandbox'.length);
    const json = async <T>() => JSON.parse((await readBody(req)).toString('utf8') || '{}') as T;
    const get = req.method === 'GET';
    const post = req.method === 'POST';
    if (get && path === '/stats')
      return send(200, {
        ...state.stats(),
        marketplace: {
          running: parts.marketplace.running,
          placed: parts.marketplace.placed,
          noStock: parts.marketplace.noStock,
        },
        tokenGrants: parts.lwa.grants,
        rateLimits: parts.buckets.status(),
        faults: ctx.faults.current,
        config: ctx.config,
      });
    if (get && path === '/listings') {
      const sku = url.searchParams.get('sku');
      return send(200, [...state.listings.keys()].filter((s) => !sku || s === sku).map(listingDump));
    }
    if (post && path === '/listings') {
      // A catalogue the selling partner sells from: buyable listings (what Amazon has once an ASIN is matched).
      const { listings } = await json<{
        listings: { sku: string; productType?: string; title?: string; price?: string; quantity?: number }[];
      }>();
      for (const l of listings ?? []) state.addCatalogListing(l);
      return send(200, { listings: state.listings.size });
    }
    const issues = /^\/listings\/([^/]+)\/issues$/.exec(path);
    if (post && issues) {
      const l = state.listings.get(decodeURIComponent(issues[1]!));
      if (!l) return send(404, { error: 'no such listing' });
      l.issues = (await json<{ issues: ListingIssue[] }>()).issues ?? [];
      return send(200, listingDump(l.sku));
    }
    if (get && path === '/feeds') return send(200, [...state.feeds.values()]);
    if (get && path === '/transactions') return send(200, [...state.transactions.values()]);
    if (get && path === '/vendor/inventory')
      return send(200, Object.fromEntries([...state.vendorInventory].map(([w, m]) => [w, Object.fromEntries(m)])));
    if (get && path === '/orders') return send(200, [...state.orders.values()]);
    if (get && path === '/sold') return send(200, Object.fromEntries(parts.marketplace.sold));
    if (post && path === '/orders') {
      const { count = 1, ...opts } = await json<{ count?: number } & ShopperOptions>();
      const orders = parts.marketplace.placeOrders(count, opts);
      return send(201, { placed: orders.length, orderIds: orders.map((o) => o.orderId) });
    }
    const status = /^\/orders\/([^/]+)\/status$/.exec(path);
    if (post && status) {
      const o = parts.marketplace.setStatus(
        decodeURIComponent(status[1]!),
        (await json<{ status: MarketplaceOrder['status'] }>()).status,
      );
      return o ? send(200, o) : send(404, { error: 'no such order' });
    }
    if (post && path === '/marketplace') {
      const { ordersPerMinute = 0, ...opts } = await json<{ ordersPerMinute?: number } & ShopperOptions>();
      parts.marketplace.start(ordersPerMinute, opts);
      return send(200, { running: parts.marketplace.running, ordersPerMinute });
    }
    if (post && path === '/faults') {
      ctx.faults.set(await json());
      return send(200, ctx.faults.current);
    }
    if (post && path === '/rate-limits') {
      // { "<operationId>": { "rate": 20, "burst": 40 } }: the usage plan Amazon grants this partner for an operation.
      const body = await json<Record<string, { rate: number; burst: number }>>();
      for (const [op, limit] of Object.entries(body)) {
        const key = ctx.models.operations.find((o) => o.id === op || o.key === op)?.key;
        if (!key) return send(400, { error: `no operation ${op}` });
        parts.buckets.set(key, limit);
      }
      return send(200, parts.buckets.status());
    }
    if (post && path === '/config') {
      Object.assign(ctx.config, await json<Partial<SandboxConfig>>());
      return send(200, ctx.config);
    }
    if (post && path === '/tokens/revoke') {
      parts.lwa.revokeAll();
      return send(200, { revoked: true });
    }
    if (post && path === '/reset') {
      state.reset();
      parts.buckets.reset();
      return send(200, state.stats());
    }
    send(404, { error: `no inspection route ${req.method} ${path}` });
  };
}
