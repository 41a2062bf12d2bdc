import type { Pool } from 'mysql2/promise';
import { max } from 'drizzle-orm';
import { channelsDb } from '../../db/client';
import { allocationRuleVersions } from '../../db/channels/schema';
import { allocate } from '../../domain/channels/allocation';
import type { Channel } from '../../domain/channels/channels';
import { parseRuleSet, rulesFor, type RuleSet } from '../../domain/channels/rules';
import { rulesAt } from './rules-store';

/**
 * One SKU's allocation per channel under the rules in force, for pipelines outside this area (the Shopify push):
 * the same versioned rules and the same `allocate` as `channel-sync`, so every channel's share comes from one
 * computation. The rules of a version never change, so a version read once is kept; each call reads only the
 * current version number.
 */
export function channelAllocations(channels: Pool) {
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
    /** Shopify's share of each SKU (rules read once for the whole list): the batched stock push's caps. */
    async shopifySharesOf(items: readonly { sku: string; available: number }[]): Promise<Map<string, number>> {
      const { set } = await rulesInForce();
      return new Map(items.map((i) => [i.sku, allocate(i.available, rulesFor(set, i.sku)).get('shopify') ?? 0]));
    },
  };
}

export type ChannelAllocations = ReturnType<typeof channelAllocations>;
