import type { ShopState } from './state';
import { TransferError, type TransferDesk } from './transfers';

export interface DemoTransfersOptions {
  /** First and last day of the history (YYYY-MM-DD). */
  from: string;
  to: string;
  /** The distribution centre's location code or name (default: the shop's first location). */
  warehouse?: string;
  seed?: number;
}

const DAY = 86_400_000;

/**
 * A grocery chain's transfer history: every week the warehouse restocks each store (a truck of 15–80 lines, now and
 * then more than 100), stores swap a few lines between them, a few drafts are canceled, a received truck now and
 * then has damaged units rejected, and the last week's trucks are still in transit. Uses the shop's inventory items.
 */
export function demoTransfers(s: ShopState, desk: TransferDesk, o: DemoTransfersOptions) {
  let seed = o.seed ?? 7;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const skus = [...s.inventoryItems.values()].map((i) => i.sku).filter((x): x is string => Boolean(x));
  const locations = [...s.locations.values()];
  const warehouse = locations.find((l) => l.code === o.warehouse || l.name === o.warehouse) ?? locations[0];
  const stores = locations.filter((l) => l !== warehouse);
  if (!skus.length || !warehouse || !stores.length)
    throw new TransferError('demo transfers need inventory items and at least two locations');
  const pick = (n: number) => {
    const out = new Set<string>();
    while (out.size < Math.min(n, skus.length)) out.add(skus[Math.floor(rnd() * skus.length)]!);
    return [...out].map((sku) => ({ sku, quantity: 1 + Math.floor(rnd() * 48) }));
  };
  const end = Date.parse(`${o.to}T00:00:00Z`);
  const counts = { transfers: 0, shipments: 0, received: 0, rejectedUnits: 0, canceled: 0, inTransit: 0 };
  const iso = (ms: number) => new Date(ms).toISOString();
  // Weeks counted back from two days before `to`, so the last week's trucks, shipped the day before `to`, are still
  // in transit whatever weekday `to` falls on (the grid used to start at `from`, and on some weekdays the last truck
  // had been received already); the first week may start a few days before `from`.
  const last = end - 2 * DAY;
  const first = last - Math.ceil((last - Date.parse(`${o.from}T00:00:00Z`)) / (7 * DAY)) * 7 * DAY;
  for (let week = first; week <= last; week += 7 * DAY) {
    const routes = stores.map((st) => [warehouse, st] as const);
    if (stores.length > 1 && rnd() < 0.5) routes.push([stores[0]!, stores[1]!]);
    for (const [from, to] of routes) {
      const created = week + (6 + Math.floor(rnd() * 4)) * 3_600_000;
      const lines = from === warehouse ? pick(rnd() < 0.1 ? 110 : 15 + Math.floor(rnd() * 66)) : pick(3);
      const t = desk.create({ origin: from.id, destination: to.id, lines, at: iso(created), readyToShip: true });
      counts.transfers++;
      if (rnd() < 0.04) {
        desk.cancel(t.id);
        counts.canceled++;
        continue;
      }
      const shipped = created + DAY;
      if (shipped > Date.now()) continue;
      const sh = desk.ship(t.id, { at: iso(shipped) });
      counts.shipments++;
      const received = shipped + (1 + Math.floor(rnd() * 2)) * DAY;
      if (received > end || received > Date.now()) {
        counts.inTransit++;
        continue;
      }
      const damaged = rnd() < 0.2 ? lines[0] : undefined;
      desk.receive(sh.id, {
        at: iso(received),
        lines: damaged
          ? lines.map((l) =>
              l === damaged
                ? { sku: l.sku, accepted: l.quantity - 1, rejected: 1 }
                : { sku: l.sku, accepted: l.quantity },
            )
          : undefined,
      });
      if (damaged) counts.rejectedUnits++;
      counts.received++;
    }
  }
  return counts;
}
