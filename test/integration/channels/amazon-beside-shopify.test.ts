import { MockActivityEnvironment } from '@temporalio/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAllocations } from '../../../activities/channels/allocations';
import { ledgerStock } from '../../../activities/channels/ledger-stock';
import { listingsStore } from '../../../activities/channels/listings-store';
import { saveRules } from '../../../activities/channels/rules-store';
import { createChannelSyncActivities } from '../../../activities/channels/sync';
import { createStockPushActivities } from '../../../activities/inventory/stock-push';
import { AmazonClient } from '../../../connectors/amazon';
import { channelsDb, createPool } from '../../../db/client';
import type { Channel } from '../../../domain/channels/channels';
import { startAmazonSandbox, type AmazonSandbox } from '../../../sandbox/amazon';
import { stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

// Products 9315-9316 are published by no other test file (product-publish/<id> ids are server-wide).
const FIRST = 9315;
/** The sandbox applies an accepted listings change this long after accepting it (as Amazon does, asynchronously). */
const APPLY_MS = 2_000;

// #13 "at every moment the quantities offered across all channels for a SKU never add up to more than
// available_to_sell", in the two directions the Shopify cap alone left open: an Amazon channel raising into units
// Shopify still offers (a rules change that moves share from Shopify to Amazon, Shopify's push not through yet), and
// an Amazon order placed between a patch's acceptance and Amazon applying it (the new absolute quantity overwrites
// the order's decrement, so the order does not come off what Seller Central offers).
describe('Seller Central beside Shopify: a raise waits for room, and the accept-to-apply window', () => {
  let t: TemporalHarness;
  let s: StockFixture;
  let amazon: AmazonSandbox;
  let channels: ReturnType<typeof createPool>;
  let skus: string[];
  const env = new MockActivityEnvironment();
  const woken: { channel: Channel; skus: string[] }[] = [];

  beforeAll(async () => {
    t = await temporalHarness('amazon-beside-shopify');
    s = await stockFixture(t, 2, undefined, { firstId: FIRST });
    await s.publish([FIRST, FIRST + 1]);
    skus = (await s.publishedSkus()).slice(0, 2);
    expect(skus).toHaveLength(2);
    channels = createPool(s.f.urls.channels);
    amazon = await startAmazonSandbox({
      listingDelayMs: APPLY_MS,
      catalog: skus.map((sku) => ({ sku, productType: 'PRODUCT', quantity: 0 })),
    });
    await listingsStore(channels).enroll('amazon', skus, 'PRODUCT');
    // Only Carlton holds stock (the fixture's other stores are counted empty).
    await s.ledger.applyMovements(
      skus.flatMap((sku) =>
        ['EMERALD', 'OISTINS', 'SUNSET'].map((location) => ({
          key: `beside/count/0/${sku}/${location}`,
          kind: 'count' as const,
          sku,
          location,
          quantity: 0,
          occurredAt: new Date().toISOString(),
        })),
      ),
      { source: 'test' },
    );
  }, 300_000);
  afterAll(async () => {
    await amazon?.close();
    await channels?.end();
    await s?.close();
    await t?.close();
  });

  function stack() {
    const allocations = channelAllocations(channels, {
      inventory: s.pools.inventory,
      amazonLocation: 'C',
      listingApplyMs: APPLY_MS,
      wake: async (channel, list) => void woken.push({ channel, skus: list }),
    });
    const push = createStockPushActivities({
      inventory: s.pools.inventory,
      pim: s.pools.pim,
      store: s.pools.store,
      shopify: s.f.shopify,
      reads: s.reads,
      allocations,
    });
    const client = new AmazonClient({
      endpoint: amazon.url,
      lwa: {
        clientId: amazon.clientId,
        clientSecret: amazon.clientSecret,
        refreshToken: amazon.refreshToken,
        tokenUrl: amazon.tokenUrl,
      },
      sellerId: amazon.config.sellerId,
      marketplaceId: amazon.config.marketplaceId,
    });
    const sync = createChannelSyncActivities({
      channels,
      stock: ledgerStock(s.pools.inventory, s.reads),
      amazon: client,
      allocations,
      listingApplyMs: APPLY_MS,
    });
    return { allocations, push, sync };
  }
  const move = (
    sku: string,
    m: { key: string; kind: 'count' | 'pos_sale' | 'reserve'; quantity: number; orderItemId?: string; at?: string },
  ) =>
    s.ledger.applyMovements(
      [
        {
          key: m.key,
          kind: m.kind,
          quantity: m.quantity,
          sku,
          location: 'C',
          occurredAt: m.at ?? new Date().toISOString(),
          ...(m.kind === 'reserve' ? { channel: 'amazon', orderLineId: m.orderItemId } : {}),
        },
      ],
      { source: 'test' },
    );
  const available = async (sku: string) =>
    (await s.reads.levelsOf([sku])).reduce((n, l) => (l.sku === sku ? n + l.availableToSell : n), 0);
  const shopifyOffers = async (sku: string) =>
    (await s.shopLevels()).filter((l) => l.sku === sku).reduce((n, l) => n + l.available, 0);
  const listing = async (sku: string) => {
    const [[row]] = await channels.query<RowDataPacket[]>(
      "SELECT allocated, sent, confirmed, status FROM channel_listings WHERE channel = 'amazon' AND sku = ?",
      [sku],
    );
    return row as { allocated: number; sent: number | null; confirmed: number | null; status: string };
  };
  /** Seller Central shows `want` (the accepted change applied), or what it shows after 10 s. */
  const shown = async (sku: string, want: number) => {
    const end = Date.now() + 10_000;
    while (amazon.state.quantity(sku) !== want && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return amazon.state.quantity(sku);
  };

  it("an Amazon raise goes only as far as Shopify's offer leaves room, and all the way once Shopify lowers", async () => {
    const { push, sync } = stack();
    const sku = skus[0]!;
    const round = async () => {
      await env.run(sync.planChannel, { channel: 'amazon' as const, skus: [sku] });
      const r = (await env.run(sync.sendPending, { channel: 'amazon' as const })) as { failed: number };
      expect(r.failed).toBe(0);
    };
    await saveRules(
      channelsDb(channels),
      { channels: { shopify: { percent: 60, priority: 1 }, amazon: { percent: 20, priority: 2 } } },
      'test',
    );
    await move(sku, { key: 'beside/count/1', kind: 'count', quantity: 100 });
    await env.run(push.pushSkuStock, sku, 'beside/1');
    expect(await shopifyOffers(sku)).toBe(60);
    await round();
    expect(await shown(sku, 20)).toBe(20);

    // The rules move share from Shopify to Amazon (60 % -> 30 %, 20 % -> 50 %); Shopify's push has not run yet.
    await saveRules(
      channelsDb(channels),
      { channels: { shopify: { percent: 30, priority: 1 }, amazon: { percent: 50, priority: 2 } } },
      'test',
    );
    await round();
    const held = await listing(sku);
    // Before: Seller Central was sent its 50 at once, beside the 60 Shopify still offered (110 of 100).
    expect(
      held.sent! + (await shopifyOffers(sku)),
      'Seller Central sent beside what Shopify offers',
    ).toBeLessThanOrEqual(await available(sku));
    expect(held).toMatchObject({ sent: 40, confirmed: 40 });
    expect(await shown(sku, 40)).toBe(40);
    await new Promise((r) => setTimeout(r, 300));
    expect(amazon.state.quantity(sku) + (await shopifyOffers(sku))).toBeLessThanOrEqual(await available(sku));

    // Shopify's push lowers it to its new share (30): Seller Central, held below its own, is woken for the SKU.
    woken.length = 0;
    await env.run(push.pushSkuStock, sku, 'beside/2');
    expect(await shopifyOffers(sku)).toBe(30);
    expect(woken).toEqual([{ channel: 'amazon', skus: [sku] }]);
    await round();
    expect(await listing(sku)).toMatchObject({ sent: 50, confirmed: 50, status: 'accepted' });
    expect(await shown(sku, 50)).toBe(50);
    expect(amazon.state.quantity(sku) + (await shopifyOffers(sku))).toBeLessThanOrEqual(await available(sku));
  }, 120_000);

  it('an Amazon order placed between the acceptance and the apply does not come off what Seller Central offers', async () => {
    const { allocations, push, sync } = stack();
    const sku = skus[1]!;
    const round = async () => {
      await env.run(sync.planChannel, { channel: 'amazon' as const, skus: [sku] });
      const r = (await env.run(sync.sendPending, { channel: 'amazon' as const })) as { failed: number };
      expect(r.failed).toBe(0);
    };
    // Rules of the test above: Shopify 30 %, Amazon 50 %. 20 at Carlton: Seller Central shows its 10.
    await move(sku, { key: 'beside/window/count/1', kind: 'count', quantity: 20 });
    await round();
    expect(await shown(sku, 10)).toBe(10);

    // A count of 30: Seller Central accepts 15, and applies it 2 s later. A shopper buys 1 meanwhile, off the 10.
    await move(sku, { key: 'beside/window/count/2', kind: 'count', quantity: 30 });
    await round();
    expect(await listing(sku)).toMatchObject({ confirmed: 15 });
    const order = amazon.marketplace.placeOrder({ skus: [sku], maxLines: 1, maxUnits: 1, pendingMs: 0 })!;
    expect(order, 'an order while Seller Central still shows 10').toBeDefined();
    expect(amazon.state.quantity(sku)).toBe(9);
    // The apply overwrites that decrement: Seller Central offers 15 again, with the order sold.
    expect(await shown(sku, 15)).toBe(15);
    // The orders read reserves the unit (at the order's own time), and the till sells 10: 19 available.
    await move(sku, {
      key: 'beside/window/reserve/1',
      kind: 'reserve',
      quantity: 1,
      orderItemId: order.lines[0]!.orderItemId,
      at: order.createdTime,
    });
    await move(sku, { key: 'beside/window/pos/1', kind: 'pos_sale', quantity: 10 });
    expect(await available(sku)).toBe(19);

    // Before: the order counted as off the 15 (exposure 14), and Shopify was set to 5 beside Amazon's 15 (20 of 19).
    expect((await allocations.otherChannelsExposure([sku])).get(sku), "Seller Central's exposure").toBe(15);
    await env.run(push.pushSkuStock, sku, 'beside/window/1');
    expect(await shopifyOffers(sku)).toBe(4);
    expect(amazon.state.quantity(sku) + (await shopifyOffers(sku))).toBeLessThanOrEqual(await available(sku));

    // A second shopper buys 1 (after the apply; not read yet). Amazon shows 14: one unit sold unread since the
    // apply. Before, the first order (read, but not off the 15) hid it, and the send offered it again.
    await new Promise((r) => setTimeout(r, 200));
    expect(amazon.marketplace.placeOrder({ skus: [sku], maxLines: 1, maxUnits: 1, pendingMs: 0 })).toBeDefined();
    expect(amazon.state.quantity(sku)).toBe(14);
    await round();
    // Amazon's half of 19 is 9, less the unit sold unread.
    expect(await listing(sku)).toMatchObject({ sent: 8 });
    expect(await shown(sku, 8)).toBe(8);
  }, 120_000);
});
