import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, shareOut, wanted, type ChannelRule } from '../../../domain/channels/allocation';
import { CHANNELS } from '../../../domain/channels/channels';
import { affectedByChange, InvalidRules, parseRuleSet, rulesFor } from '../../../domain/channels/rules';

const rule = (over: Partial<ChannelRule> & Pick<ChannelRule, 'channel'>): ChannelRule => ({
  enabled: true,
  percent: 100,
  buffer: 0,
  minListed: 0,
  maxListed: null,
  stopBelow: 0,
  priority: 1,
  ...over,
});

const ruleArb = (channel: ChannelRule['channel']) =>
  fc.record({
    channel: fc.constant(channel),
    enabled: fc.boolean(),
    percent: fc.integer({ min: 0, max: 10_000 }).map((h) => h / 100),
    buffer: fc.integer({ min: 0, max: 50 }),
    minListed: fc.integer({ min: 0, max: 40 }),
    maxListed: fc.option(fc.integer({ min: 0, max: 500 })),
    stopBelow: fc.integer({ min: 0, max: 30 }),
    priority: fc.integer({ min: 1, max: 5 }),
  });

describe('allocation', () => {
  it('property: offers across channels never add up to more than available_to_sell, and none is negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: -20, max: 100_000 }), fc.tuple(...CHANNELS.map(ruleArb)), (available, rules) => {
        const out = allocate(available, rules);
        const values = [...out.values()];
        expect(values.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
        expect(values.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(Math.max(0, available));
        for (const r of rules) expect(out.get(r.channel)).toBeLessThanOrEqual(wanted(Math.max(0, available), r));
      }),
      { numRuns: 5_000 },
    );
  });

  it('a percentage of available is rounded down; the buffer comes off first', () => {
    expect(wanted(10, rule({ channel: 'amazon', percent: 33.33 }))).toBe(3);
    expect(wanted(300, rule({ channel: 'amazon', percent: 33.33 }))).toBe(99);
    expect(wanted(10, rule({ channel: 'amazon', percent: 50, buffer: 3 }))).toBe(3);
  });

  it('min and max listed; stop listing below N', () => {
    expect(wanted(100, rule({ channel: 'amazon', percent: 10, maxListed: 5 }))).toBe(5);
    expect(wanted(20, rule({ channel: 'amazon', percent: 10, minListed: 5 }))).toBe(5);
    expect(wanted(3, rule({ channel: 'amazon', percent: 10, minListed: 5 }))).toBe(3);
    expect(wanted(4, rule({ channel: 'amazon', stopBelow: 5 }))).toBe(0);
    expect(wanted(5, rule({ channel: 'amazon', stopBelow: 5 }))).toBe(5);
  });

  it('when stock is short, channels are served in priority order', () => {
    const out = allocate(10, [
      rule({ channel: 'amazon', percent: 80, priority: 2 }),
      rule({ channel: 'shopify', percent: 70, priority: 1 }),
      rule({ channel: 'amazon-vendor', percent: 50, priority: 3 }),
    ]);
    expect(Object.fromEntries(out)).toEqual({ shopify: 7, amazon: 3, 'amazon-vendor': 0 });
  });
});

describe('allocation rules document', () => {
  const doc = {
    channels: {
      shopify: { percent: 100, priority: 1 },
      amazon: { percent: 60, buffer: 2, maxListed: 50, priority: 2 },
    },
    overrides: [{ sku: '4006381333931', channel: 'amazon', percent: 0 }],
  };

  it('merges a SKU override over its channel default; a channel with no rule does not list', () => {
    const set = parseRuleSet(doc);
    const [shopify, amazon, vendor] = rulesFor(set, '4006381333931');
    expect(shopify).toMatchObject({ enabled: true, percent: 100 });
    expect(amazon).toMatchObject({ enabled: true, percent: 0, buffer: 2, maxListed: 50 });
    expect(vendor).toMatchObject({ channel: 'amazon-vendor', enabled: false });
    expect(rulesFor(set, 'other')[1]).toMatchObject({ percent: 60 });
  });

  it('names every bad field of a rule that does not parse', () => {
    try {
      parseRuleSet({
        channels: { amazon: { percent: 120, minListed: 9, maxListed: 3 }, ebay: {} },
        overrides: [{ sku: 'x', channel: 'amazon', bogus: 1 }],
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidRules);
      const text = (err as InvalidRules).problems.join('\n');
      expect(text).toMatch(/channels\.amazon\.percent/);
      expect(text).toMatch(/ebay/);
      expect(text).toMatch(/bogus/);
    }
    expect(() => parseRuleSet({ channels: { amazon: { minListed: 9, maxListed: 3 } } })).toThrow(
      /minListed 9 is above maxListed 3/,
    );
  });

  it('a change of a channel default affects every SKU; a change of an override only its SKU', () => {
    const before = parseRuleSet(doc);
    expect(
      affectedByChange(before, parseRuleSet({ ...doc, channels: { ...doc.channels, shopify: { percent: 90 } } })),
    ).toEqual({ all: true });
    const after = parseRuleSet({
      ...doc,
      overrides: [
        { sku: '4006381333931', channel: 'amazon', percent: 10 },
        { sku: 'B', channel: 'shopify', maxListed: 4 },
      ],
    });
    expect(affectedByChange(before, after)).toEqual({ all: false, skus: ['4006381333931', 'B'] });
    expect(affectedByChange(before, parseRuleSet(doc))).toEqual({ all: false, skus: [] });
  });

  it('with no rules Shopify offers everything (as before channels); rules for Amazon alone leave Shopify the rest', () => {
    const none = parseRuleSet({ channels: {} });
    expect(Object.fromEntries(allocate(17, rulesFor(none, 'X')))).toEqual({
      shopify: 17,
      amazon: 0,
      'amazon-vendor': 0,
    });
    const amazonOnly = parseRuleSet({ channels: { amazon: { percent: 30 }, 'amazon-vendor': { percent: 20 } } });
    expect(Object.fromEntries(allocate(10, rulesFor(amazonOnly, 'X')))).toEqual({
      shopify: 5,
      amazon: 3,
      'amazon-vendor': 2,
    });
  });
});

describe("shareOut (one channel's allocation over its locations or warehouses)", () => {
  it("fills the places that can offer most first and never exceeds the allocation or a place's own offer", () => {
    const out = shareOut(
      7,
      new Map([
        ['C', 4],
        ['EMERALD', 6],
        ['SUNSET', 0],
      ]),
    );
    expect(Object.fromEntries(out)).toEqual({ EMERALD: 6, C: 1, SUNSET: 0 });
    expect(Object.fromEntries(shareOut(50, new Map([['C', 4]])))).toEqual({ C: 4 });
  });

  it('property: Σ shares = min(allocation, Σ offers), each share ≤ its offer', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.dictionary(fc.string({ minLength: 1, maxLength: 3 }), fc.nat(80)), (n, offers) => {
        const out = shareOut(n, new Map(Object.entries(offers)));
        const total = [...out.values()].reduce((a, b) => a + b, 0);
        const can = Object.values(offers).reduce((a, b) => a + b, 0);
        expect(total).toBe(Math.min(n, can));
        for (const [k, q] of out) expect(q).toBeLessThanOrEqual(offers[k]!);
      }),
      { numRuns: 1000 },
    );
  });
});
