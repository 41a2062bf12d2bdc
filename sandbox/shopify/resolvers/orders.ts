import type { AppAccess } from '../app-access';
import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import { searchFilter } from '../search';
import { numericId, type ShopState, type SbCustomer, type SbOrder } from '../state';
import { customerView, fulfillmentOrderById, orderView, refundView } from '../views';

type ListArgs = ConnectionArgs & { query?: string; sortKey?: string };

/** Orders by Shopify search syntax: updated_at / created_at / processed_at comparisons, id, name, statuses, email. */
export const orderFilter = (query: string | undefined) =>
  searchFilter<SbOrder>(query, {
    updated_at: (o) => o.updatedAt,
    created_at: (o) => o.createdAt,
    processed_at: (o) => o.processedAt,
    id: (o) => numericId(o.id),
    name: (o) => `#${o.number}`,
    email: (o) => o.email,
    financial_status: (o) => o.financialStatus,
    fulfillment_status: (o) => o.fulfillmentStatus,
    risk_level: (o) => o.risk.assessments.map((a) => a.riskLevel),
    sku: (o) => o.lineItems.map((li) => li.sku),
  });

const customerFilter = (query: string | undefined) =>
  searchFilter<SbCustomer>(query, {
    updated_at: (c) => c.updatedAt,
    created_at: (c) => c.createdAt ?? c.updatedAt,
    id: (c) => numericId(c.id),
    email: (c) => c.email,
    phone: (c) => c.phone,
  });

/** Ties broken by id so pages are stable, as Shopify's cursors are. */
function sortBy<T extends { id: string }>(list: T[], key: (x: T) => string | undefined): T[] {
  return list.sort((x, y) => (key(x) ?? '').localeCompare(key(y) ?? '') || numericId(x.id) - numericId(y.id));
}

export function orderResolvers(s: ShopState, access?: AppAccess) {
  // Orders older than 60 days do not exist for an app without read_all_orders (app-access.ts).
  const readable = (o: SbOrder) => !access || access.canReadOrder(o.createdAt);
  // Refund id → order id, filled on a miss: a refund is looked up by id without scanning every order each time.
  const refundOrder = new Map<string, string>();
  const findRefund = (id: string) => {
    if (!refundOrder.has(id)) for (const o of s.orders.values()) for (const r of o.refunds) refundOrder.set(r.id, o.id);
    const order = s.orders.get(refundOrder.get(id) ?? '');
    const refund = order?.refunds.find((r) => r.id === id);
    return order && refund && readable(order) ? refundView(refund, order, s) : null;
  };
  return {
    query: {
      refund: ({ id }: { id: string }) => findRefund(id),
      order: ({ id }: { id: string }) => {
        const o = s.orders.get(id);
        return o && readable(o) ? orderView(o, s) : null;
      },
      fulfillmentOrder: ({ id }: { id: string }) => fulfillmentOrderById(id, s, readable),
      orders: (a: ListArgs, ctx: SandboxContext) => {
        const list = [...s.orders.values()].filter(readable).filter(orderFilter(a.query));
        if (a.sortKey === 'UPDATED_AT') sortBy(list, (o) => o.updatedAt);
        else if (a.sortKey === 'CREATED_AT') sortBy(list, (o) => o.createdAt);
        else if (a.sortKey === 'PROCESSED_AT') sortBy(list, (o) => o.processedAt);
        else sortBy(list, () => '');
        return connection(
          list.map((o) => orderView(o, s)),
          a,
          ctx,
        );
      },
      customer: ({ id }: { id: string }) => {
        const c = s.customers.get(id);
        return c ? customerView(c, s) : null;
      },
      customers: (a: ListArgs, ctx: SandboxContext) => {
        const list = [...s.customers.values()].filter(customerFilter(a.query));
        if (a.sortKey === 'UPDATED_AT') sortBy(list, (c) => c.updatedAt);
        else if (a.sortKey === 'CREATED_AT') sortBy(list, (c) => c.createdAt ?? c.updatedAt);
        else sortBy(list, () => '');
        return connection(
          list.map((c) => customerView(c, s)),
          a,
          ctx,
        );
      },
    },
  };
}
