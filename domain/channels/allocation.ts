import type { Channel } from './channels';

/** One channel's allocation rule for a SKU (the channel's default with the SKU's override merged over it). */
export interface ChannelRule {
  channel: Channel;
  enabled: boolean;
  /** Share of the stock left after the buffer, in percent, rounded down to whole units. */
  percent: number;
  /** Units held back from this channel before its share is taken. */
  buffer: number;
  /** List at least this many when the stock after the buffer allows it (0: no floor). */
  minListed: number;
  /** Never list more than this (null: no cap). */
  maxListed: number | null;
  /** List nothing on this channel while available_to_sell is below this. */
  stopBelow: number;
  /** Lower is served first when the channels' wants add up to more than is available. */
  priority: number;
}

/** What a channel wants before shortage is shared out: the rule applied to the SKU's whole available_to_sell. */
export function wanted(available: number, rule: ChannelRule): number {
  if (!rule.enabled || available <= 0 || available < rule.stopBelow) return 0;
  const afterBuffer = Math.max(0, available - rule.buffer);
  // Integer arithmetic on hundredths of a percent, so 33.33 % of 300 is 99 and never 99.99… rounded either way.
  let q = Math.floor((afterBuffer * Math.round(rule.percent * 100)) / 10_000);
  if (rule.maxListed !== null) q = Math.min(q, rule.maxListed);
  if (q < rule.minListed) q = Math.min(rule.minListed, afterBuffer, rule.maxListed ?? Infinity);
  return Math.max(0, q);
}

/**
 * The quantity each channel offers for one SKU. Channels are served in priority order (then by name, so the
 * result never depends on input order), each taking its want from what is left: the sum of offers never
 * exceeds `available` (the invariant the property test checks), and a channel that stops listing frees its units
 * for none (what it does not list stays unallocated).
 */
export function allocate(available: number, rules: readonly ChannelRule[]): Map<Channel, number> {
  const avail = Math.max(0, Math.floor(available));
  const order = [...rules].sort((a, b) => a.priority - b.priority || a.channel.localeCompare(b.channel));
  const out = new Map<Channel, number>();
  let left = avail;
  for (const rule of order) {
    const q = Math.min(wanted(avail, rule), left);
    out.set(rule.channel, q);
    left -= q;
  }
  return out;
}

/**
 * Shares one channel's allocation out over the places it is offered from (Shopify locations, Vendor Central
 * warehouses): each takes at most what it could offer on its own, the places that could offer most first (then by
 * key, so the result never depends on input order), until the allocation is used up. The sum never exceeds
 * `allocation` nor the sum of what the places could offer.
 */
export function shareOut<K extends string>(allocation: number, canOffer: ReadonlyMap<K, number>): Map<K, number> {
  const order = [...canOffer].sort(([ka, a], [kb, b]) => b - a || ka.localeCompare(kb));
  const out = new Map<K, number>();
  let left = Math.max(0, Math.floor(allocation));
  for (const [k, can] of order) {
    const q = Math.min(Math.max(0, Math.floor(can)), left);
    out.set(k, q);
    left -= q;
  }
  return out;
}
