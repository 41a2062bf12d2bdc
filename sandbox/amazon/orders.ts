import { createHash } from 'node:crypto';
import { errorReply, iso, type Call, type Ctx, type Handler, type Reply } from './api';
import type { MarketplaceOrder } from './state';

const TWO_MINUTES = 2 * 60_000;
const DAY = 86_400_000;

/** One order as the Orders API 2026-01-01 returns it (Order), with the datasets `includedData` asks for. */
export function orderView(ctx: Ctx, o: MarketplaceOrder, included: string[]): Record<string, unknown> {
  const has = (d: string) => included.includes(d);
  const currencyCode = 'USD';
  const total = o.lines.reduce((s, l) => s + Number(l.unitPrice) * l.quantity, 0);
  return {
    orderId: o.orderId,
    createdTime: o.createdTime,
    lastUpdatedTime: o.lastUpdatedTime,
    salesChannel: { channelName: 'AMAZON', marketplaceId: o.marketplaceId, marketplaceName: 'Amazon.com' },
    ...(has('BUYER') ? { buyer: { buyerName: o.buyerName } } : {}),
    ...(has('PROCEEDS') ? { proceeds: { grandTotal: { amount: total.toFixed(2), currencyCode } } } : {}),
    ...(has('FULFILLMENT') ? { fulfillment: { fulfillmentStatus: o.status, fulfilledBy: 'MERCHANT' } } : {}),
    orderItems: o.lines.map((l) => ({
      orderItemId: l.orderItemId,
      quantityOrdered: l.quantity,
      product: {
        ...(l.asin ? { asin: l.asin } : {}),
        ...(l.title ? { title: l.title } : {}),
        sellerSku: l.sku,
        condition: { conditionType: 'New' },
        price: { unitPrice: { amount: l.unitPrice, currencyCode } },
      },
      ...(has('PROCEEDS')
        ? { proceeds: { proceedsTotal: { amount: (Number(l.unitPrice) * l.quantity).toFixed(2), currencyCode } } }
        : {}),
      ...(has('FULFILLMENT')
        ? {
            fulfillment: {
              quantityFulfilled: o.status === 'SHIPPED' ? l.quantity : 0,
              quantityUnfulfilled: o.status === 'SHIPPED' || o.status === 'CANCELLED' ? 0 : l.quantity,
            },
          }
        : {}),
    })),
  };
}

interface SearchWindow {
  field: 'createdTime' | 'lastUpdatedTime';
  after: number;
  before: number;
}

/**
 * searchOrders' window rules, from its parameter descriptions (orders_2026-01-01.json): "You must provide exactly one
 * of `createdAfter` and `lastUpdatedAfter`"; the matching `…Before` "must be equal to or after the `…After` date and at
 * least two minutes before the time of the request"; the created and lastUpdated pairs exclude each other.
 */
export function searchWindow(params: Record<string, unknown>, now: number): SearchWindow | string {
  const ca = params.createdAfter as string | undefined;
  const cb = params.createdBefore as string | undefined;
  const ua = params.lastUpdatedAfter as string | undefined;
  const ub = params.lastUpdatedBefore as string | undefined;
  if ((ca === undefined) === (ua === undefined))
    return 'Exactly one of createdAfter and lastUpdatedAfter must be provided.';
  if (ca !== undefined && (ua !== undefined || ub !== undefined))
    return 'If createdAfter is provided, neither lastUpdatedAfter nor lastUpdatedBefore may be provided.';
  if (ua !== undefined && cb !== undefined)
    return 'If lastUpdatedAfter is provided, neither createdAfter nor createdBefore may be provided.';
  const [afterName, beforeName, after, before] =
    ca !== undefined ? ['createdAfter', 'createdBefore', ca, cb] : ['lastUpdatedAfter', 'lastUpdatedBefore', ua!, ub];
  const a = Date.parse(after);
  if (before !== undefined) {
    const b = Date.parse(before);
    if (b < a) return `${beforeName} must be equal to or after ${afterName}.`;
    if (b > now - TWO_MINUTES) return `${beforeName} must be at least two minutes before the time of the request.`;
    return { field: ca !== undefined ? 'createdTime' : 'lastUpdatedTime', after: a, before: b };
  }
  return { field: ca !== undefined ? 'createdTime' : 'lastUpdatedTime', after: a, before: now };
}

/** The query a pagination token belongs to: every parameter except maxResultsPerPage, includedData and the token. */
function queryKey(params: Record<string, unknown>): string {
  const rest = Object.entries(params)
    .filter(([k]) => !['maxResultsPerPage', 'includedData', 'paginationToken'].includes(k))
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 16);
}

export function ordersHandlers(ctx: Ctx): Record<string, Handler> {
  const { state } = ctx;
  return {
    searchOrders: (call: Call): Reply => {
      const now = ctx.now();
      let offset = 0;
      let window: SearchWindow | string;
      const token = call.params.paginationToken as string | undefined;
      if (token) {
        // The token carries the window of the first page, so later pages see the same set of orders.
        let t: { o: number; k: string; a: number; b: number; f: SearchWindow['field']; at: number };
        try {
          t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
        } catch {
          return errorReply(400, 'InvalidInput', 'Invalid paginationToken');
        }
        if (t.k !== queryKey(call.params))
          return errorReply(400, 'InvalidInput', 'paginationToken was issued for a request with other parameters');
        // "The token will expire after 24 hours." (SearchOrdersResponse.pagination)
        if (now - t.at > DAY) return errorReply(400, 'InvalidInput', 'paginationToken has expired');
        offset = t.o;
        window = { field: t.f, after: t.a, before: t.b };
      } else window = searchWindow(call.params, now);
      if (typeof window === 'string') return errorReply(400, 'InvalidInput', window);
      // maxResultsPerPage: "The value must be between 1 and 100. **Default:** 100."
      const size = (call.params.maxResultsPerPage as number | undefined) ?? 100;
      if (size < 1 || size > 100)
        return errorReply(400, 'InvalidInput', 'maxResultsPerPage must be between 1 and 100.');
      const statuses = call.params.fulfillmentStatuses as string[] | undefined;
      const markets = call.params.marketplaceIds as string[] | undefined;
      const by = call.params.fulfilledBy as string[] | undefined;
      const w = window;
      const all = [...state.orders.values()]
        .filter((o) => {
          const t = Date.parse(o[w.field]);
          return (
            t >= w.after &&
            t <= w.before &&
            (!statuses || statuses.includes(o.status)) &&
            (!markets || markets.includes(o.marketplaceId)) &&
            (!by || by.includes('MERCHANT'))
          );
        })
        .sort((a, b) => a[w.field].localeCompare(b[w.field]) || a.orderId.localeCompare(b.orderId));
      const page = all.slice(offset, offset + size);
      const more = offset + size < all.length;
      const nextToken = more
        ? Buffer.from(
            JSON.stringify({
              o: offset + size,
              k: queryKey(call.params),
              a: w.after,
              b: w.before,
              f: w.field,
              at: now,
            }),
          ).toString('base64url')
        : undefined;
      const included = (call.params.includedData as string[] | undefined) ?? [];
      return {
        status: 200,
        body: {
          orders: page.map((o) => orderView(ctx, o, included)),
          ...(nextToken ? { pagination: { nextToken } } : {}),
          [w.field === 'createdTime' ? 'createdBefore' : 'lastUpdatedBefore']: iso(w.before),
        },
      };
    },

    getOrder: (call) => {
      const o = state.orders.get(call.params.orderId as string);
      if (!o) return errorReply(404, 'NotFound', `Order ${String(call.params.orderId)} not found`);
      return {
        status: 200,
        body: { order: orderView(ctx, o, (call.params.includedData as string[] | undefined) ?? []) },
      };
    },
  };
}
