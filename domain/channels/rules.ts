import { z } from 'zod';
import type { ChannelRule } from './allocation';
import { CHANNELS, type Channel } from './channels';

const units = z.number().int().min(0);
const fields = {
  enabled: z.boolean(),
  percent: z.number().min(0).max(100).multipleOf(0.01),
  buffer: units,
  minListed: units,
  maxListed: units.nullable(),
  stopBelow: units,
  priority: z.number().int().min(1).max(99),
};
const partialRule = z.object(fields).partial().strict();
const channelName = z.enum(CHANNELS);

/** The rules document (`channels rules set` reads it as YAML or JSON): a default per channel, overrides per SKU. */
export const ruleSetSchema = z
  .object({
    channels: z.partialRecord(channelName, partialRule),
    overrides: z
      .array(partialRule.extend({ sku: z.string().min(1).max(64), channel: channelName }).strict())
      .default([]),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.overrides.forEach((o, i) => {
      const key = `${o.channel}\u0000${o.sku}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', i],
          message: `second override of ${o.sku} on ${o.channel}`,
        });
      seen.add(key);
    });
    const check = (r: z.infer<typeof partialRule>, path: (string | number)[]) => {
      if (r.minListed !== undefined && r.maxListed !== undefined && r.maxListed !== null && r.minListed > r.maxListed)
        ctx.addIssue({ code: 'custom', path, message: `minListed ${r.minListed} is above maxListed ${r.maxListed}` });
    };
    for (const [c, r] of Object.entries(doc.channels)) if (r) check(r, ['channels', c]);
    doc.overrides.forEach((o, i) => check({ ...doc.channels[o.channel], ...o }, ['overrides', i]));
  });

export type RuleSet = z.infer<typeof ruleSetSchema>;
export type PartialRule = z.infer<typeof partialRule>;

/** A rules document that does not validate; `problems` names each bad field by its path. */
export class InvalidRules extends Error {
  override name = 'InvalidRules';
  constructor(readonly problems: string[]) {
    super(`invalid allocation rules:\n  - ${problems.join('\n  - ')}`);
  }
}

export function parseRuleSet(doc: unknown): RuleSet {
  const r = ruleSetSchema.safeParse(doc);
  if (!r.success)
    throw new InvalidRules(r.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`));
  return r.data;
}

/** A channel's built-in rule, under whatever the document says for it. */
const defaults = (channel: Channel): ChannelRule => ({
  channel,
  enabled: false,
  percent: 100,
  buffer: 0,
  minListed: 0,
  maxListed: null,
  stopBelow: 0,
  priority: CHANNELS.indexOf(channel) + 1,
});

/**
 * A channel listed in no rule: an Amazon channel is not sold on (a new channel starts dark until someone allocates
 * to it); the Shopify shop, which sold everything before channels existed, takes what the listed channels leave
 * (100 %, served last). So a shop with no rules keeps offering all it has on Shopify, and a rules document that
 * only allocates to Amazon never offers Amazon's units on Shopify as well.
 */
const unlisted = (channel: Channel): ChannelRule =>
  channel === 'shopify' ? { ...defaults(channel), enabled: true, priority: 99 } : defaults(channel);

/** Each channel's effective rule for `sku`: the built-in defaults, the channel's rule, then the SKU's override. */
export function rulesFor(set: RuleSet, sku: string): ChannelRule[] {
  return CHANNELS.map((channel) => {
    const base = set.channels[channel];
    const override = set.overrides.find((o) => o.channel === channel && o.sku === sku);
    const merged: ChannelRule = base ? { ...defaults(channel), enabled: true, ...base } : unlisted(channel);
    if (override) {
      const { sku: _s, channel: _c, ...o } = override;
      Object.assign(merged, { enabled: true }, o);
    }
    return merged;
  });
}

/**
 * What a rules change touches: every SKU when a channel's default changed, else the SKUs whose overrides were
 * added, removed or changed.
 */
export function affectedByChange(
  before: RuleSet | undefined,
  after: RuleSet,
): { all: true } | { all: false; skus: string[] } {
  if (!before || JSON.stringify(canonicalChannels(before)) !== JSON.stringify(canonicalChannels(after)))
    return { all: true };
  const key = (o: RuleSet['overrides'][number]) => `${o.channel}\u0000${o.sku}`;
  const render = (set: RuleSet) => new Map(set.overrides.map((o) => [key(o), JSON.stringify(sorted(o))]));
  const a = render(before);
  const b = render(after);
  const skus = new Set<string>();
  for (const o of [...before.overrides, ...after.overrides]) if (a.get(key(o)) !== b.get(key(o))) skus.add(o.sku);
  return { all: false, skus: [...skus].sort() };
}

const sorted = (o: object) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
const canonicalChannels = (set: RuleSet) => CHANNELS.map((c) => (set.channels[c] ? sorted(set.channels[c]) : null));
