import type { Pool, RowDataPacket } from 'mysql2/promise';
import { max } from 'drizzle-orm';
import { channelsDb } from '../../db/client';
import { allocationRuleVersions } from '../../db/channels/schema';
import { allocate } from '../../domain/channels/allocation';
import type { Channel } from '../../domain/channels/channels';
import { parseRuleSet, rulesFor, type RuleSet } from '../../domain/channels/rules';
import { SYNCED_CHANNELS } from './channel-signals';
import { rulesAt } from './rules-store';

/**
 * One SKU's allocation per channel under the rules in force, for pipelines outside this area (the Shopify push):
 * the same versioned rules and the same `allocate` as `channel-sync`, so every channel's share comes from one
 * computation. The rules of a version never change, so a version read once is kept; each call reads only the
 * current version number.
 */
/** Where the channels' exposure is read from besides the channels database, and what to wake when room appears. */
export interface ExposureLedger {
  /** The ledger (for the Seller Central orders it has read) and the location Seller Central orders reserve at. */
  inventory?: Pool;
  amazonLocation?: string;
  /**
   * How long Seller Central may take to apply a quantity after accepting it (a patch ACCEPTED, a feed DONE): the
   * Listings Items API's ACCEPTED means "accepted for processing" (ListingsItemSubmissionResponse.status,
   * https://developer-docs.amazon.com/sp-api/reference/patchlistingsitem-1), and the change shows later. Orders
   * placed before the new quantity applied took their units from the old one, which the absolute new quantity then
   * overwrote: only orders placed this long after `confirmed_at` are known to come off the new quantity (0: at once).
   */
  listingApplyMs?: number;
  /** Tells `channel-sync/<channel>` to plan these SKUs again (room appeared beside a channel held below its share). */
  wake?(channel: Channel, skus: string[]): Promise<void>;
}

/** One channel's exposure of a SKU: what it offers now at least (`live`) and at most, with its unread sales (`total`). */
export interface ChannelExposure {
  live: number;
  total: number;
}

/**
 * One SKU's allocation per channel under the rules in force, for pipelines outside this area (the Shopify push):
 * the same versioned rules and the same `allocate` as `channel-sync`, so every channel's share comes from one
 * computation. The rules of a version never change, so a version read once is kept; each call reads only the
 * current version number.
 */
export function channelAllocations(channels: Pool, ledger: ExposureLedger = {}) {
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
  /**
   * Of these SKUs (with the ledger's available_to_sell), those `channel` lists below its share under the rules in
   * force: a channel held below it by the others' exposure (`capBeside`), woken when they lower.
   */
  async function heldBelow(channel: Channel, items: readonly { sku: string; available: number }[]) {
    if (!items.length) return [];
    const { set } = await rulesInForce();
    const [rows] = await channels.query<RowDataPacket[]>(
      'SELECT sku, allocated FROM channel_listings WHERE channel = ? AND sku IN (?)',
      [channel, items.map((i) => i.sku)],
    );
    const listed = new Map(rows.map((r) => [r.sku as string, Number(r.allocated)]));
    return items
      .filter((i) => listed.has(i.sku))
      .filter((i) => listed.get(i.sku)! < (allocate(i.available, rulesFor(set, i.sku)).get(channel) ?? 0))
      .map((i) => i.sku);
  }
  /** Wakes every Amazon channel but `except` for the SKUs it lists below its share. */
  async function wakeHeld(items: readonly { sku: string; available: number }[], except?: Channel): Promise<void> {
    if (!ledger.wake || !items.length) return;
    for (const channel of SYNCED_CHANNELS) {
      if (channel === except) continue;
      const skus = await heldBelow(channel, items);
      if (skus.length) await ledger.wake(channel, skus);
    }
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
    /** Per SKU, the Amazon channels' exposure together: what Shopify may not offer (`shopifySharesOf`). */
    async otherChannelsExposure(skus: readonly string[]): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      for (const [sku, by] of await channelExposures(channels, ledger, skus))
        for (const [channel, e] of by) if (channel !== 'shopify') out.set(sku, (out.get(sku) ?? 0) + e.total);
      return out;
    },
    /**
     * What an Amazon channel may offer of each SKU beside the others (Shopify's recorded offer and the other Amazon
     * channel's exposure), given its allocation and the ledger's available: a raise goes only as far as the others
     * leave room, never below what the channel already offers (a decrease is sent whole: it only lowers the sum, and
     * every channel can always lower). new = min(allocation, max(live, available − others)).
     */
    async capBeside(
      channel: Channel,
      items: readonly { sku: string; allocated: number; available: number }[],
    ): Promise<Map<string, number>> {
      const exposures = await channelExposures(
        channels,
        ledger,
        items.map((i) => i.sku),
      );
      return new Map(
        items.map((i) => {
          const by = exposures.get(i.sku);
          let others = 0;
          for (const [c, e] of by ?? []) if (c !== channel) others += e.total;
          const live = by?.get(channel)?.live ?? 0;
          return [i.sku, Math.min(i.allocated, Math.max(live, i.available - others))];
        }),
      );
    },
    /**
     * Before the push writes Shopify's quantities: what it is about to offer per SKU (the sum over its mapped
     * locations). A raise counts from now on, before Shopify shows it; a lowering counts once written (the larger of
     * the two, as for an Amazon quantity in flight).
     */
    async shopifyOffering(items: readonly { sku: string; offered: number }[]): Promise<void> {
      if (!items.length) return;
      await channels.query(
        'INSERT INTO channel_listings (channel, sku, allocated, sent, sent_at, status) VALUES ? ' +
          'ON DUPLICATE KEY UPDATE sent = IF(sent <=> confirmed, VALUES(sent), GREATEST(COALESCE(sent, 0), VALUES(sent))), ' +
          'sent_at = VALUES(sent_at)',
        [items.map((i) => ['shopify', i.sku, i.offered, i.offered, new Date(), 'accepted'])],
      );
    },
    /**
     * Shopify offers these quantities now (the push wrote them): recorded as the channel's confirmed offer, so the
     * channels area reads Shopify's exposure without calling Shopify. Orders Shopify takes since only lower its live
     * quantity, so the offer counts whole until the next push. Where the offer went down, the Amazon channels held
     * below their share by it are planned again. `ifAbsent`: a SKU whose offer was not written now (its inputs did not
     * change) gets its upper bound recorded only when nothing is recorded yet.
     */
    async shopifyOffered(
      items: readonly { sku: string; offered: number; available: number }[],
      opts: { ifAbsent?: boolean } = {},
    ): Promise<void> {
      if (!items.length) return;
      const rows = items.map((i) => ['shopify', i.sku, i.offered, i.offered, i.offered, new Date(), 'accepted']);
      const insert =
        'INSERT INTO channel_listings (channel, sku, allocated, sent, confirmed, confirmed_at, status) VALUES ?';
      if (opts.ifAbsent) {
        await channels.query(`${insert} ON DUPLICATE KEY UPDATE sku = sku`, [rows]);
        return;
      }
      const [before] = await channels.query<RowDataPacket[]>(
        "SELECT sku, sent, confirmed FROM channel_listings WHERE channel = 'shopify' AND sku IN (?)",
        [items.map((i) => i.sku)],
      );
      const was = new Map(
        before.map((r) => [r.sku as string, Math.max(Number(r.sent ?? 0), Number(r.confirmed ?? 0))]),
      );
      await channels.query(
        `${insert} ON DUPLICATE KEY UPDATE allocated = VALUES(allocated), sent = VALUES(sent), ` +
          'confirmed = VALUES(confirmed), confirmed_at = VALUES(confirmed_at)',
        [rows],
      );
      await wakeHeld(items.filter((i) => was.has(i.sku) && i.offered < was.get(i.sku)!));
    },
    /** `channel` confirmed quantities for these SKUs: the other Amazon channel, where held below its share, looks again. */
    wakeHeld,
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
 * Per SKU and channel, the units it may be offering now plus those Seller Central may have sold that the ledger has
 * not read yet. Amazon takes an order's units off the listing at once, so once Seller Central applied a quantity
 * `confirmed` its listing plus its unread orders add up to `confirmed` less the units of its orders placed since that
 * the ledger has read (reserved): no Amazon call is needed to bound both. "Since" is from `confirmed_at` plus the
 * listing apply delay: an order placed between the acceptance and the apply took its unit from the old quantity, and
 * the new one overwrote that decrement (before, it was subtracted, and Shopify's cap was too high by its units). A
 * quantity sent and not confirmed (in flight, or a reply lost after Amazon applied it, or a FATAL feed that applied
 * part of itself) may be live with every sale since overwritten, so it counts whole until a later quantity is
 * confirmed (a quantity planned and not sent yet does not count: a later plan may lower it, or a send's backoff hold
 * it, with nothing to tell the Shopify push; the channels' plans race only between a read and a send). Orders placed before our last send and unread then (`unread_held`) count until the orders read
 * passes that send. Vendor Central (no orders read) counts the larger of what it confirmed and what was last sent.
 * Shopify counts what the push last set (`shopifyOffered`), or is about to set when that is more. `live` is what the
 * channel offers at least: what it confirmed less every order read since (Seller Central), never a planned value.
 * Not covered: an order placed between our send and the apply that the ledger has not read (no listing shows it);
 * the allocation rules' buffer covers that visibility lag.
 */
export async function channelExposures(
  channels: Pool,
  ledger: ExposureLedger,
  skus: readonly string[],
): Promise<Map<string, Map<Channel, ChannelExposure>>> {
  const out = new Map<string, Map<Channel, ChannelExposure>>();
  if (!skus.length) return out;
  const [rows] = await channels.query<RowDataPacket[]>(
    'SELECT channel, sku, sent, confirmed, confirmed_at, unread_held, held_at FROM channel_listings WHERE sku IN (?)',
    [skus],
  );
  const [[cursor]] = await channels.query<RowDataPacket[]>(
    "SELECT position FROM channel_cursors WHERE name = 'amazon-orders'",
  );
  const readUntil = cursor ? new Date(cursor.position as string).getTime() : null;
  const since = new Map<string, Date>();
  const applyMs = ledger.listingApplyMs ?? 0;
  for (const r of rows)
    if (r.channel === 'amazon' && r.confirmed > 0 && r.confirmed_at)
      since.set(r.sku as string, new Date(new Date(r.confirmed_at as string | Date).getTime() + applyMs));
  const read = await amazonReadSince(ledger, since);
  for (const r of rows) {
    const channel = r.channel as Channel;
    const confirmed = Number(r.confirmed ?? 0);
    const sent = r.sent === null ? null : Number(r.sent);
    const orders = read.get(r.sku as string);
    const net = channel === 'amazon' ? Math.max(0, confirmed - (orders?.net ?? 0)) : confirmed;
    const live = channel === 'amazon' ? Math.max(0, confirmed - (orders?.reserved ?? 0)) : confirmed;
    const inFlight = sent !== null && (r.confirmed === null || sent !== confirmed) ? sent : 0;
    // Sold before our last send and not read then: unread until the orders read passes that send.
    const heldAt = r.held_at ? new Date(r.held_at as string | Date).getTime() : null;
    const carried = heldAt !== null && (readUntil === null || readUntil < heldAt) ? Number(r.unread_held ?? 0) : 0;
    const by = out.get(r.sku as string) ?? new Map<Channel, ChannelExposure>();
    by.set(channel, { live, total: Math.max(net, inFlight) + carried });
    out.set(r.sku as string, by);
  }
  return out;
}

/**
 * Units of Seller Central orders placed at or after each SKU's time that the ledger has reserved (`reserved`), and
 * those less the releases it has read since (`net`: a cancelled order's units may go back on the listing; where
 * Amazon does not put them back, the exposure is only overstated, and what the listing offers at least counts none).
 */
async function amazonReadSince(
  ledger: ExposureLedger,
  since: ReadonlyMap<string, Date>,
): Promise<Map<string, { reserved: number; net: number }>> {
  const out = new Map<string, { reserved: number; net: number }>();
  if (!ledger.inventory || !since.size) return out;
  // One index range per SKU (movements_level_time_idx is sku, location, occurred_at).
  const at = ledger.amazonLocation;
  const ranges = [...since].map(() =>
    at ? '(sku = ? AND location = ? AND occurred_at >= ?)' : '(sku = ? AND occurred_at >= ?)',
  );
  const params = [...since].flatMap(([sku, t]) => (at ? [sku, at, t] : [sku, t]));
  const [rows] = await ledger.inventory.query<RowDataPacket[]>(
    "SELECT sku, SUM(IF(kind = 'reserve', quantity, 0)) AS r, SUM(IF(kind = 'reserve', quantity, -quantity)) AS q " +
      "FROM movements WHERE channel = 'amazon' " +
      `AND kind IN ('reserve', 'release') AND (${ranges.join(' OR ')}) GROUP BY sku`,
    params,
  );
  for (const r of rows) out.set(r.sku as string, { reserved: Number(r.r), net: Number(r.q) });
  return out;
}
