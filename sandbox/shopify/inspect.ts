import type http from 'node:http';
import type { FaultInjector } from './faults';
import { readBody } from './http-util';
import type { ShopState } from './state';
import type { Storefront, PlaceOrdersOptions } from './storefront';
import type { LeakyBucket, ShopifyPlan } from './throttle';
import { demoTransfers, type DemoTransfersOptions } from './transfer-demo';
import { TransferError, type CreateTransferInput, type TransferDesk } from './transfers';

type Send = (status: number, body: unknown, type?: string) => void;

/**
 * The inspection API (/_sandbox/*): what tests and the demo use to look inside the shop and steer it.
 * It is not part of Shopify's API and needs no token.
 */
export function inspectionRoutes(ctx: {
  state: ShopState;
  storefront: Storefront;
  faults: FaultInjector;
  bucket: LeakyBucket;
  transfers: TransferDesk;
  setPlan(p: ShopifyPlan): void;
}) {
  const { state } = ctx;
  const dump = (p: NonNullable<ReturnType<ShopState['products']['get']>>) => ({
    ...p,
    variants: p.variants.map((v) => {
      const item = state.inventoryItems.get(v.inventoryItemId);
      const levels = Object.fromEntries(
        [...(item?.levels ?? new Map<string, Map<string, number>>())].map(([loc, q]) => [
          state.locations.get(loc)?.code ?? loc,
          Object.fromEntries(q),
        ]),
      );
      return { ...v, weight: item?.weight ?? null, inventory: levels };
    }),
  });
  // The merchant's steps on native transfers (transfers.ts); ids are the numeric part of the gid.
  const desk = ctx.transfers;
  const gid = (type: string, n: string) => `gid://shopify/${type}/${n}`;
  async function transferRoute(method: string, path: string, body: Record<string, unknown>) {
    if (method === 'GET' && path === '/transfers')
      return [
        200,
        [...state.transfers.values()].map((t) => ({
          ...t,
          shipments: t.shipmentIds.map((id) => state.shipments.get(id)),
        })),
      ] as const;
    if (method !== 'POST') return undefined;
    if (path === '/transfers') {
      const t = desk.create(body as unknown as CreateTransferInput);
      return [201, { id: t.id, name: t.name, status: t.status }] as const;
    }
    if (path === '/transfers/demo')
      return [201, demoTransfers(state, desk, body as unknown as DemoTransfersOptions)] as const;
    const step = /^\/(transfers|shipments)\/(\d+)\/(ready|ship|receive|cancel)$/.exec(path);
    if (!step) return undefined;
    const [, kind, n, action] = step;
    const at = body.at as string | undefined;
    const lines = body.lines as never;
    if (kind === 'shipments' && action === 'receive')
      return [200, desk.receive(gid('InventoryShipment', n!), { at, lines })] as const;
    const id = gid('InventoryTransfer', n!);
    if (action === 'ready') return [200, desk.markReadyToShip(id)] as const;
    if (action === 'ship') return [201, desk.ship(id, { at, lines })] as const;
    if (action === 'cancel') return [200, desk.cancel(id)] as const;
    return undefined;
  }
  return async (req: http.IncomingMessage, url: URL, send: Send): Promise<void> => {
    const path = url.pathname.slice('/_sandbox'.length);
    const json = async <T>() => JSON.parse((await readBody(req)).toString('utf8') || '{}') as T;
    if (req.method === 'GET' && path === '/stats')
      return send(200, { ...state.stats(), throttleStatus: ctx.bucket.status(), faults: ctx.faults.current });
    if (req.method === 'GET' && path === '/products') {
      const customId = url.searchParams.get('customId');
      const list = [...state.products.values()].filter(
        (p) => !customId || p.metafields.some((m) => m.value === customId),
      );
      return send(200, list.map(dump));
    }
    if (req.method === 'GET' && path === '/inventory') {
      // One row per inventory item and location: sku, location code and every named quantity.
      const sku = url.searchParams.get('sku');
      const rows = [...state.inventoryItems.values()]
        .filter((i) => !sku || i.sku === sku)
        .flatMap((i) =>
          [...i.levels].map(([loc, q]) => ({
            inventoryItemId: i.id,
            sku: i.sku,
            locationId: loc,
            location: state.locations.get(loc)?.code ?? loc,
            ...Object.fromEntries(q),
          })),
        );
      return send(200, rows);
    }
    if (req.method === 'GET' && path === '/locations') return send(200, [...state.locations.values()]);
    if (req.method === 'GET' && path === '/orders') return send(200, [...state.orders.values()]);
    if (req.method === 'GET' && path === '/bulk-operations') return send(200, [...state.bulkOperations.values()]);
    if (req.method === 'POST' && path === '/faults') {
      ctx.faults.set(await json());
      return send(200, ctx.faults.current);
    }
    if (req.method === 'POST' && path === '/plan') {
      const { plan } = await json<{ plan: ShopifyPlan }>();
      ctx.setPlan(plan);
      return send(200, ctx.bucket.status());
    }
    if (req.method === 'POST' && path === '/orders') {
      const orders = ctx.storefront.placeOrders({ count: 1, ...(await json<Partial<PlaceOrdersOptions>>()) });
      return send(201, { placed: orders.length, ids: orders.map((o) => o.id) });
    }
    if (req.method === 'POST' && path === '/storefront') {
      const { ordersPerMinute = 0, ...opts } = await json<{ ordersPerMinute?: number } & Partial<PlaceOrdersOptions>>();
      ctx.storefront.start(ordersPerMinute, opts);
      return send(200, { running: ctx.storefront.running, ordersPerMinute });
    }
    const orderAction = /^\/orders\/(\d+)\/(refund|risk)$/.exec(path);
    if (req.method === 'POST' && orderAction) {
      const id = `gid://shopify/Order/${orderAction[1]}`;
      const body = await json<{ riskLevel?: 'HIGH' | 'MEDIUM' | 'LOW'; note?: string }>();
      const order =
        orderAction[2] === 'refund'
          ? ctx.storefront.refund(id, body.note)
          : ctx.storefront.assessRisk(id, body.riskLevel ?? 'HIGH');
      return order ? send(200, order) : send(404, { error: `no order ${id}` });
    }
    if (path.startsWith('/transfers') || path.startsWith('/shipments')) {
      try {
        const r = await transferRoute(req.method ?? 'GET', path, await json<Record<string, unknown>>());
        if (r) return send(r[0], r[1]);
      } catch (e) {
        if (e instanceof TransferError) return send(e.status, { error: e.message });
        throw e;
      }
    }
    if (req.method === 'POST' && path === '/reset') {
      state.reset();
      return send(200, state.stats());
    }
    send(404, { error: `no inspection route ${req.method} ${path}` });
  };
}
