import type { LevelQuantities, ShopifyClient } from '../../connectors/shopify';
import { readInventoryLevelsBulk } from '../../connectors/shopify/inventory-bulk';

/** Pending SKUs from which the pusher reads Shopify's levels with one bulk query instead of item by item. */
export const BULK_LEVELS_ABOVE = 1_000;
/**
 * How long a bulk read's levels may serve a push. Every write is a compare-and-set, so a level that moved since is
 * refused and read again item by item; the age bounds how often that happens.
 */
const SNAPSHOT_MAX_AGE_MS = 60_000;
/** Bulk reads one pusher run makes at most (a backlog that comes back again and again is read item by item). */
const MAX_READS = 10;

/**
 * Shopify's levels of the whole shop from one bulk query (`readInventoryLevelsBulk`, the reconciliation's read): a
 * backlog of thousands of SKUs costs a mutation and a few polls instead of 3 + 3 × locations points per item
 * (10,000 items at one location: ~60,000 points, a minute of Plus's restore). The read runs beside the pusher's
 * passes (they read item by item until it is in). Each item's levels serve one push only: after that write they
 * are ours, no longer Shopify's, and a second push of the item reads it again. A bulk start Shopify refuses (a
 * bulk query of another pipeline running, LIMIT_REACHED) or a failed operation leaves the item reads in charge.
 */
export function levelsSnapshot(shopify: ShopifyClient, opts: { maxAgeMs?: number; now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  const maxAge = opts.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS;
  let levels: Map<string, Map<string, LevelQuantities>> | null = null;
  let startedAt = 0;
  let reading: Promise<void> | null = null;
  let failures = 0;
  let reads = 0;

  async function read(): Promise<void> {
    const at = now();
    const out = new Map<string, Map<string, LevelQuantities>>();
    for await (const line of readInventoryLevelsBulk(shopify)) {
      if (!('level' in line)) continue;
      const l = line.level;
      let item = out.get(l.inventoryItemId);
      if (!item) out.set(l.inventoryItemId, (item = new Map()));
      item.set(l.locationId, { available: l.available, onHand: l.onHand, committed: l.committed });
    }
    levels = out;
    startedAt = at;
  }

  const fresh = () => levels !== null && now() - startedAt <= maxAge;

  return {
    /** Whether a bulk read is running (the pusher lets the backlog wait for it). */
    reading: () => reading !== null,

    /** Whether a bulk read would be started now (none fresh, none running, not given up). */
    wanted: () => !reading && !fresh() && failures < 3 && reads < MAX_READS,

    /** Starts a bulk read unless a fresh one is in or one is running (returns at once; the read goes on). */
    refresh(): void {
      if (reading || fresh() || failures >= 3 || reads >= MAX_READS) return;
      reads++;
      reading = read()
        // Not now (LIMIT_REACHED: other bulk queries run), the operation failed, a transient error: the item reads
        // go on, and after three failures this activity run stops asking.
        .catch(() => void failures++)
        .finally(() => (reading = null));
    },

    /**
     * The levels of these items from the snapshot, each handed out once (null where it holds none: an item stocked
     * nowhere, or no fresh snapshot); the caller reads the rest item by item.
     */
    take(itemIds: readonly string[]): Map<string, Map<string, LevelQuantities>> {
      const out = new Map<string, Map<string, LevelQuantities>>();
      if (!fresh()) return out;
      for (const id of itemIds) {
        const item = levels!.get(id);
        if (!item) continue;
        out.set(id, item);
        levels!.delete(id);
      }
      // Most of a batch already served (a second backlog of the same SKUs: an Amazon confirm, another count): the
      // snapshot is spent, and the next backlog pass reads the shop again in bulk instead of item by item.
      if (itemIds.length >= 50 && out.size * 2 < itemIds.length) levels = null;
      return out;
    },

    /** Waits for a running read (a test, the end of an activity); never throws. */
    async settled(): Promise<void> {
      await reading;
    },
  };
}

export type LevelsSnapshot = ReturnType<typeof levelsSnapshot>;
