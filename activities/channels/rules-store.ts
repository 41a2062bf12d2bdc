import { desc, eq, max } from 'drizzle-orm';
import type { ChannelsDb } from '../../db/client';
import { allocationRules, allocationRuleVersions } from '../../db/channels/schema';
import { isChannel } from '../../domain/channels/channels';
import { affectedByChange, parseRuleSet, type RuleSet } from '../../domain/channels/rules';

export interface StoredRules {
  version: number;
  set: RuleSet;
}

/** The rules in force (the highest version); version 0 and no channel when none were ever set. */
export async function currentRules(db: ChannelsDb): Promise<StoredRules> {
  const [top] = await db.select({ v: max(allocationRuleVersions.version) }).from(allocationRuleVersions);
  const version = top?.v ?? 0;
  return { version, set: version ? await rulesAt(db, version) : parseRuleSet({ channels: {} }) };
}

export async function rulesAt(db: ChannelsDb, version: number): Promise<RuleSet> {
  const rows = await db.select().from(allocationRules).where(eq(allocationRules.version, version));
  const doc: { channels: Record<string, unknown>; overrides: unknown[] } = { channels: {}, overrides: [] };
  for (const r of rows) {
    if (!isChannel(r.channel)) continue;
    if (r.sku === '') doc.channels[r.channel] = r.rule;
    else doc.overrides.push({ ...r.rule, sku: r.sku, channel: r.channel });
  }
  return parseRuleSet(doc);
}

/**
 * Validates and stores a rules document as a new version (the old ones stay, for history and diffs), and says
 * which SKUs it affects, so the caller re-syncs exactly those. Throws `InvalidRules` naming every bad field.
 */
export async function saveRules(
  db: ChannelsDb,
  doc: unknown,
  author: string,
  note = '',
): Promise<{ version: number; affected: ReturnType<typeof affectedByChange> }> {
  const set = parseRuleSet(doc);
  return db.transaction(async (tx) => {
    // Serialise writers: the version read for the diff must be the one the new version follows.
    const [last] = await tx
      .select({ v: allocationRuleVersions.version })
      .from(allocationRuleVersions)
      .orderBy(desc(allocationRuleVersions.version))
      .limit(1)
      .for('update');
    const before = last ? await rulesAt(tx as unknown as ChannelsDb, last.v) : undefined;
    const [res] = await tx
      .insert(allocationRuleVersions)
      .values({ author: author.slice(0, 64), note: note.slice(0, 500) });
    const version = res.insertId;
    const rows = [
      ...Object.entries(set.channels).map(([channel, rule]) => ({ version, channel, sku: '', rule: rule ?? {} })),
      ...set.overrides.map(({ sku, channel, ...rule }) => ({ version, channel, sku, rule })),
    ];
    if (rows.length) await tx.insert(allocationRules).values(rows);
    return { version, affected: affectedByChange(before, set) };
  });
}
