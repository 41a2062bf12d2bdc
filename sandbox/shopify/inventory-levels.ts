import { nowIso, type SbInventoryItem, type SbOrder, type ShopState } from './state';

/**
 * Shopify's inventory states at one location: `on_hand` is every unit physically there, and `available`
 * is what is left to sell once units committed to unfulfilled orders, reserved or set aside (damaged,
 * quality_control, safety_stock) are taken out. Shopify's inventory states: "Shopify decrements the available
 * inventory quantity for product variants that are included in an order, and increments the committed
 * inventory quantity for the order. After the order is fulfilled, Shopify decrements the committed inventory".
 */
const SET_ASIDE = ['committed', 'reserved', 'damaged', 'quality_control', 'safety_stock'] as const;

export type Level = Map<string, number>;

/**
 * When each level was created and last changed (InventoryLevel.createdAt / updatedAt: "The date and time when the
 * inventory level was updated."). Kept beside the quantities, keyed by the level itself, so the quantity map stays
 * names → numbers; a level made without newLevel (a fixture) takes its first read as both times.
 */
const times = new WeakMap<Level, { createdAt: string; updatedAt: string }>();
export function levelTimes(level: Level): { createdAt: string; updatedAt: string } {
  let t = times.get(level);
  if (!t) times.set(level, (t = { createdAt: nowIso(), updatedAt: nowIso() }));
  return t;
}

/** Every change of a level's quantities goes through here, and moves its updatedAt. */
function derive(level: Level): void {
  const aside = SET_ASIDE.reduce((n, name) => n + (level.get(name) ?? 0), 0);
  level.set('available', (level.get('on_hand') ?? 0) - aside);
  levelTimes(level).updatedAt = nowIso();
}

/** A new (active) level with its initial quantities: inventoryActivate's `onHand`, else `available`, else 0. */
export function newLevel(opts: { onHand?: number | null; available?: number | null }): Level {
  const level: Level = new Map([['on_hand', opts.onHand ?? opts.available ?? 0]]);
  derive(level);
  return level;
}

/** Sets `available` (on_hand moves by the same delta) or `on_hand` (available follows); returns the value before. */
export function setQuantity(level: Level, name: 'available' | 'on_hand', quantity: number): number {
  const before = level.get(name) ?? 0;
  if (name === 'on_hand') level.set('on_hand', quantity);
  else level.set('on_hand', (level.get('on_hand') ?? 0) + quantity - before);
  derive(level);
  return before;
}

function move(level: Level, committed: number, onHand: number): void {
  level.set('committed', (level.get('committed') ?? 0) + committed);
  level.set('on_hand', (level.get('on_hand') ?? 0) + onHand);
  derive(level);
}

/**
 * Where a sale of `quantity` commits: the first location (in the shop's order) that stocks the item and has that
 * many available, else the first that stocks it (Shopify routes an order to a location that can fulfil it).
 */
function stockedAt(s: ShopState, item: SbInventoryItem, quantity = 0): string | undefined {
  const stocked = [...s.locations.keys()].filter((id) => item.levels.has(id));
  return stocked.find((id) => (item.levels.get(id)!.get('available') ?? 0) >= quantity) ?? stocked[0];
}

/** The most of a tracked, stocked item one location can sell now; undefined when the item is not tracked there. */
export function sellable(s: ShopState, item: SbInventoryItem): number | undefined {
  if (!item.tracked || !item.levels.size) return undefined;
  return Math.max(0, ...[...item.levels.values()].map((l) => l.get('available') ?? 0));
}

/** An order commits each line's units at a location that stocks the item (tracked items only). */
export function commitOrder(s: ShopState, order: SbOrder, itemBySku: Map<string, SbInventoryItem>): void {
  for (const li of order.lineItems) {
    const item = li.sku ? itemBySku.get(li.sku) : undefined;
    const locationId = item?.tracked ? stockedAt(s, item, li.quantity) : undefined;
    if (!item || !locationId || li.quantity <= 0) continue;
    li.inventory = { inventoryItemId: item.id, locationId };
    li.assignedLocationId = locationId;
    move(item.levels.get(locationId)!, li.quantity, 0);
  }
}

/** Fulfilment removes committed units from the location (on_hand with them); cancelling releases them. */
export function releaseOrder(s: ShopState, order: SbOrder, how: 'fulfilled' | 'cancelled'): void {
  for (const li of order.lineItems) {
    const level =
      li.inventory && s.inventoryItems.get(li.inventory.inventoryItemId)?.levels.get(li.inventory.locationId);
    if (!level) continue;
    move(level, -li.quantity, how === 'fulfilled' ? -li.quantity : 0);
    li.inventory = undefined;
  }
}
