import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import type { ShopState, SbOrder } from '../state';
import { orderView } from '../views';

/** Parses Shopify search syntax for the terms the sandbox supports: updated_at / created_at comparisons. */
export function orderFilter(query: string | undefined): (o: SbOrder) => boolean {
  const terms = [...(query ?? '').matchAll(/(updated_at|created_at):(>=|<=|>|<)?'?([^'\s)]+)'?/g)];
  return (o) =>
    terms.every(([, field, op, raw]) => {
      const value = field === 'updated_at' ? o.updatedAt : o.createdAt;
      const t = new Date(raw!).toISOString();
      switch (op) {
        case '>=':
          return value >= t;
        case '<=':
          return value <= t;
        case '>':
          return value > t;
        case '<':
          return value < t;
        default:
          return value.slice(0, 10) === t.slice(0, 10);
      }
    });
}

export function orderResolvers(s: ShopState) {
  return {
    query: {
      order: ({ id }: { id: string }) => {
        const o = s.orders.get(id);
        return o ? orderView(o, s) : null;
      },
      orders: (a: ConnectionArgs & { query?: string; sortKey?: string }, ctx: SandboxContext) => {
        const list = [...s.orders.values()].filter(orderFilter(a.query));
        const byId = (x: SbOrder, y: SbOrder) => s.orderSeq(x) - s.orderSeq(y);
        if (a.sortKey === 'UPDATED_AT') list.sort((x, y) => x.updatedAt.localeCompare(y.updatedAt) || byId(x, y));
        else if (a.sortKey === 'CREATED_AT' || a.sortKey === 'PROCESSED_AT')
          list.sort((x, y) => x.createdAt.localeCompare(y.createdAt) || byId(x, y));
        else list.sort(byId);
        return connection(
          list.map((o) => orderView(o, s)),
          a,
          ctx,
        );
      },
    },
  };
}
