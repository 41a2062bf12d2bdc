import type { Pool, RowDataPacket } from 'mysql2/promise';
import { max } from 'drizzle-orm';
import { channelsDb } from '../../db/client';
import { allocationRuleVersions } from '../../db/channels/schema';
import { allocate } from '../../domain/channels/allocation';
import type { Channel } from '../../domain/channels/channels';
import { parseRuleSet, rulesFor, type RuleSet } from '../../domain/channels/rules';
import type { Deps } from '../platform/deps';
import { DEFAULT_APPLY_WINDOW_MS } from './listings-store';
import { rulesAt } from './rules-store';

/**
 * One SKU's allocation per channel under the rules in force, for pipelines outside this area (the Shopify push):
 * the same versioned rules and the same `allocate` as `channel-sync`, so every channel's share comes from one
 * computation. The rules of a version never change, so a version read once is kept; each call reads only the
 * current version number.
 */
export function channelAllocations(
  channels: Pool,
  /**
   * The ledger (for the Seller Central orders it has read), the location Seller Central orders reserve at, and how
   * long Amazon may still show a quantity it replaced (default 15 minutes; `AMAZON_LISTING_APPLY_MS`).
   */
  ledger: Ledger = {},
) {
  const db = channelsDb(channels);
  const cache = new Map<number, RuleSet>();
  const empty = parseRuleSet({ channels: {} });
  async function rulesInForce(): Promise<{ version: number; set: RuleSet }> {
    const [top] = await db.select({ v: max(allocationRuleVersions.version) }).from(allocationRuleVersions);
    const version = top?.v ?? 0;
    if (!version) return { version, set: empty };
    let set = cache.get(version);
    if (!set) {
      set = await rulesAt(db, version);
      cache.clear();
      cache.set(version, set);
    }
    return { version, set };
  }
  return {
    rulesInForce,
    async allocationOf(
      sku: string,
      available: number,
    ): Promise<{ ruleVersion: number; byChannel: Map<Channel, number> }> {
      const { version, set } = await rulesInForce();
      return { ruleVersion: version, byChannel: allocate(available, rulesFor(set, sku)) };
    },
    /**
     * `windows` collects, per SKU, when a replaced quantity counted in its exposure stops counting (the Shopify push
     * looks again then: `sku_sync.recheck_at`).
     */
    otherChannelsExposure: (skus: readonly string[], windows?: Map<string, number>) =>
      otherChannelsExposure(channels, ledger, skus, undefined, windows),
    /**
     * Per SKU, what every channel but `channel` may offer now or has sold unread: Shopify (`shopifyExposure`) and
     * the other Amazon channel (`otherChannelsExposure`). An Amazon send leaves room for it, as the Shopify push
     * leaves room for the Amazon channels: before, Seller Central took its new share while Shopify still offered its
     * old one (a rules change moving units between them).
     */
    async exposureBeside(skus: readonly string[], channel: Channel): Promise<Map<string, number>> {
      const [amazon, shopify] = await Promise.all([
        otherChannelsExposure(channels, ledger, skus, channel),
        shopifyExposure(ledger, skus),
      ]);
      const out = new Map(amazon);
      for (const [sku, n] of shopify) out.set(sku, (out.get(sku) ?? 0) + n);
      return out;
    },
    /**
     * Shopify's share of each SKU (rules read once for the whole list): the batched stock push's caps. With the
     * other channels' exposure (`otherChannelsExposure`, read before the ledger levels `available` comes from),
     * the share is also at most what is left once they are counted: Shopify never offers units Amazon may still be
     * offering or may have sold without the ledger knowing.
     */
    async shopifySharesOf(
      items: readonly { sku: string; available: number }[],
      exposure?: ReadonlyMap<string, number>,
    ): Promise<Map<string, number>> {
      const { set } = await rulesInForce();
      return new Map(
        items.map((i) => {
          const share = allocate(i.available, rulesFor(set, i.sku)).get('shopify') ?? 0;
          const left = exposure ? Math.max(0, i.available - (exposure.get(i.sku) ?? 0)) : share;
          return [i.sku, Math.min(share, left)];
        }),
      );
    },
  };
}

export type ChannelAllocations = ReturnType<typeof channelAllocations>;

/**
 * The worker's allocations, for the Shopify push (inventory area) and the Amazon senders (this area) alike: the
 * ledger's Seller Central orders at their location, and Amazon's apply window, from the configuration.
 */
export const allocationsFor = (deps: Deps): ChannelAllocations =>
  channelAllocations(deps.pools.channels, {
    inventory: deps.pools.inventory,
    amazonLocation: deps.config.amazon?.fulfilmentLocation,
    listingApplyMs: deps.config.amazon?.listingApplyMs,
  });

interface Ledger {
  inventory?: Pool;
  amazonLocation?: string;
  listingApplyMs?: number;
}

/**
 * Per SKU, the units the Amazon channels may be offering now plus those Seller Central may have sold that the ledger
 * has not read yet. Amazon takes an order's units off the listing at once, so since Seller Central took a quantity
 * `confirmed` (at `confirmed_at`) its listing plus its unread orders add up to `confirmed` less the units of its
 * orders placed since that the ledger has read (reserved): no Amazon call is needed to bound both. A quantity sent
 * and not confirmed (in flight, or a reply lost after Amazon applied it, or a FATAL feed that applied part of
 * itself) may be live with every sale since overwritten, so it counts whole until a later quantity is confirmed.
 * Orders placed before our last send and unread then (`unread_held`) count until the orders read passes that send.
 * Vendor Central (no orders read) counts the larger of what it confirmed and what was last sent. Not covered: an
 * order placed in the moments between a patch's acceptance and Amazon applying it (Amazon's absolute quantity
 * overwrites that sale); the allocation rules' buffer covers that visibility lag.
 */
async function otherChannelsExposure(
  channels: Pool,
  ledger: Ledger,
  skus: readonly string[],
  /** Leave this channel out (its own send asks what the others hold). */
  except?: Channel,
  windows?: Map<string, number>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!skus.length) return out;
  const [rows] = await channels.query<RowDataPacket[]>(
    "SELECT channel, sku, sent, confirmed, confirmed_at, replaced, unread_held, held_at FROM channel_listings WHERE channel <> 'shopify' AND channel <> ? AND sku IN (?)",
    [except ?? 'shopify', skus],
  );
  const [[cursor]] = await channels.query<RowDataPacket[]>(
    "SELECT position FROM channel_cursors WHERE name = 'amazon-orders'",
  );
  const readUntil = cursor ? new Date(cursor.position as string).getTime() : null;
  const since = new Map<string, Date>();
  for (const r of rows)
    if (r.channel === 'amazon' && r.confirmed > 0 && r.confirmed_at)
      since.set(r.sku as string, new Date(r.confirmed_at as string | Date));
  const read = await amazonReadSince(ledger, since);
  const applyMs = ledger.listingApplyMs ?? DEFAULT_APPLY_WINDOW_MS;
  const now = Date.now();
  for (const r of rows) {
    const confirmed = Number(r.confirmed ?? 0);
    const sent = r.sent === null ? null : Number(r.sent);
    const live = r.channel === 'amazon' ? Math.max(0, confirmed - (read.get(r.sku as string) ?? 0)) : confirmed;
    const inFlight = sent !== null && (r.confirmed === null || sent !== confirmed) ? sent : 0;
    // Sold before our last send and not read then: unread until the orders read passes that send.
    const heldAt = r.held_at ? new Date(r.held_at as string | Date).getTime() : null;
    const carried = heldAt !== null && (readUntil === null || readUntil < heldAt) ? Number(r.unread_held ?? 0) : 0;
    // A higher quantity this one replaced may still show until Amazon applies the change (accepted is not shown).
    const until = r.confirmed_at ? new Date(r.confirmed_at as string | Date).getTime() + applyMs : 0;
    const replaced = r.replaced !== null && until > now ? Number(r.replaced) : 0;
    if (replaced > Math.max(live, inFlight))
      windows?.set(r.sku as string, Math.min(windows.get(r.sku as string) ?? Infinity, until));
    out.set(r.sku as string, (out.get(r.sku as string) ?? 0) + Math.max(live, inFlight, replaced) + carried);
  }
  return out;
}

/**
 * Units of Seller Central orders placed at or after each SKU's time that the ledger has reserved, less the releases
 * it has read since (a cancelled order's units may go back on the listing; where Amazon does not put them back, the
 * exposure is only overstated).
 */
async function amazonReadSince(
  ledger: { inventory?: Pool; amazonLocation?: string },
  since: ReadonlyMap<string, Date>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!ledger.inventory || !since.size) return out;
  // One index range per SKU (movements_level_time_idx is sku, location, occurred_at).
  const at = ledger.amazonLocation;
  const ranges = [...since].map(() =>
    at ? '(sku = ? AND location = ? AND occurred_at >= ?)' : '(sku = ? AND occurred_at >= ?)',
  );
  const params = [...since].flatMap(([sku, t]) => (at ? [sku, at, t] : [sku, t]));
  const [rows] = await ledger.inventory.query<RowDataPacket[]>(
    "SELECT sku, SUM(IF(kind = 'reserve', quantity, -quantity)) AS q FROM movements WHERE channel = 'amazon' " +
      `AND kind IN ('reserve', 'release') AND (${ranges.join(' OR ')}) GROUP BY sku`,
    params,
  );
  for (const r of rows) out.set(r.sku as string, Number(r.q));
  return out;
}

/**
 * Shopify orders placed this long after a push's read or write count as sold from what it set (Shopify's clock and
 * ours may differ by this much: an order counted too early would understate what Shopify offers).
 */
const SHOPIFY_CLOCK_MARGIN_MS = 2_000;

/**
 * Per SKU, what Shopify may offer now plus what it sold that the ledger has not read: what the last push read or set
 * (`sku_sync.shopify_offered`, the larger of old and new while a write is in flight) less the Shopify orders placed
 * since that the ledger has reserved (releases add back: Shopify restocks a cancelled order). A SKU never pushed is
 * absent (nothing is known to leave room for).
 */
async function shopifyExposure(ledger: { inventory?: Pool }, skus: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!ledger.inventory || !skus.length) return out;
  const [rows] = await ledger.inventory.query<RowDataPacket[]>(
    'SELECT sku, shopify_offered AS offered, shopify_offered_at AS at FROM sku_sync WHERE sku IN (?) AND shopify_offered IS NOT NULL',
    [skus],
  );
  if (!rows.length) return out;
  const params = rows.flatMap((r) => [
    r.sku,
    new Date(new Date(r.at as string | Date).getTime() + SHOPIFY_CLOCK_MARGIN_MS),
  ]);
  const [sold] = await ledger.inventory.query<RowDataPacket[]>(
    "SELECT sku, SUM(IF(kind = 'reserve', quantity, -quantity)) AS q FROM movements WHERE channel = 'shopify' " +
      `AND kind IN ('reserve', 'release') AND (${rows.map(() => '(sku = ? AND occurred_at >= ?)').join(' OR ')}) GROUP BY sku`,
    params,
  );
  const since = new Map(sold.map((r) => [r.sku as string, Number(r.q)]));
  for (const r of rows) out.set(r.sku as string, Math.max(0, Number(r.offered) - (since.get(r.sku as string) ?? 0)));
  return out;
}
