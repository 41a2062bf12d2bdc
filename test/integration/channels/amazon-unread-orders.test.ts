import { MockActivityEnvironment } from '@temporalio/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonOrdersActivities } from '../../../activities/channels/amazon-orders';
import { ledgerStock } from '../../../activities/channels/ledger-stock';
import { listingsStore } from '../../../activities/channels/listings-store';
import { saveRules } from '../../../activities/channels/rules-store';
import { createChannelSyncActivities } from '../../../activities/channels/sync';
import { channelsDb, createPool } from '../../../db/client';
import { startAmazonSandbox, type AmazonSandbox } from '../../../sandbox/amazon';
import { ledgerFixture, type LedgerFixture } from '../../support/inventory/ledger-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { amazonClientFor } from '../../support/amazon-sandbox';

// #13: an Amazon order takes its units off the listing at once, but we read it only at the next searchOrders
// (one call per 180 s once the burst is spent). A push in between must not raise Seller Central's quantity
// back above what remains.
describe('Seller Central push between an Amazon order and our read of it', () => {
  let f: LedgerFixture;
  let pool: ReturnType<typeof createPool>;
  let amazon: AmazonSandbox;
  let sku: string;
  let t: TemporalHarness;
  let env: MockActivityEnvironment;

  beforeAll(async () => {
    t = await temporalHarness('amazon-unread');
    env = new MockActivityEnvironment({ taskQueue: t.queue('amazon') });
    f = await ledgerFixture({ products: 10 });
    pool = createPool(f.urls.channels);
    amazon = await startAmazonSandbox({ listingDelayMs: 50 });
    sku = f.skus[0]!;
    amazon.state.addCatalogListing({ sku, quantity: 0 });
    await saveRules(channelsDb(pool), { channels: { amazon: { percent: 50 } } }, 'test');
    await listingsStore(pool).enroll('amazon', [sku], 'GROCERY');
  });
  afterAll(async () => {
    await t?.close();
    await amazon?.close();
    await pool?.end();
    await f?.close();
  });

  const move = (key: string, kind: 'count' | 'pos_sale', quantity: number) =>
    f.ledger.applyMovements([{ key, kind, sku, location: 'C', quantity, occurredAt: new Date().toISOString() }], {
      source: 'test',
    });
  const shown = async (want: number) => {
    const end = Date.now() + 10_000;
    while (amazon.state.quantity(sku) !== want && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return amazon.state.quantity(sku);
  };

  it('holds back the units of orders not read yet, and offers them again once the orders are in the ledger', async () => {
    const client = amazonClientFor(amazon);
    const sync = createChannelSyncActivities({
      channels: pool,
      stock: ledgerStock(f.pools.inventory, f.reads),
      amazon: client,
    });
    const round = async () => {
      await env.run(sync.planChannel, { channel: 'amazon' as const, skus: [sku] });
      const sent = (await env.run(sync.sendPending, { channel: 'amazon' as const })) as { failed: number };
      expect(sent.failed).toBe(0);
    };

    // 20 at Carlton: Amazon's half is 10, and Seller Central shows it.
    await move('test/count/1', 'count', 20);
    await round();
    expect(await shown(10)).toBe(10);

    // A shopper buys 3 on Amazon: Amazon shows 7 at once; we have not read the order.
    const order = amazon.marketplace.placeOrder({ skus: [sku], maxLines: 1, maxUnits: 3, pendingMs: 0 });
    const bought = order!.lines[0]!.quantity;
    expect(amazon.state.quantity(sku)).toBe(10 - bought);

    // A POS sale of 2 before our next searchOrders: the ledger says 18, Amazon's half 9. Sending 9 would offer
    // units Amazon has already sold; what remains of Amazon's share is 9 − bought.
    await move('test/pos/1', 'pos_sale', 2);
    await round();
    await new Promise((r) => setTimeout(r, 300)); // past the listing delay: a raise would be visible now
    expect(amazon.state.quantity(sku)).toBe(9 - bought);
    const [[row]] = await pool.query<RowDataPacket[]>(
      "SELECT allocated, status FROM channel_listings WHERE channel = 'amazon' AND sku = ?",
      [sku],
    );
    expect(row).toMatchObject({ allocated: 9 - bought, status: 'accepted' });

    // Another till sale before our read (17: Amazon's half is 8). Amazon shows what we set, 9 − bought, so from the
    // listing nothing has been sold since; but the order of before that send is still unread. Before, the send forgot
    // it and set 8, re-offering its units; what remains of Amazon's share is 8 − bought.
    await move('test/pos/2', 'pos_sale', 1);
    await round();
    await new Promise((r) => setTimeout(r, 300));
    expect(amazon.state.quantity(sku), 'the order of before our last send is still unread').toBe(8 - bought);

    // The order is read: reserved in the ledger (available 17 − bought), and Amazon gets its share of that.
    const checked: string[] = [];
    const orders = createAmazonOrdersActivities({
      channels: pool,
      amazon: client,
      ledger: f.ledger,
      location: 'C',
      temporal: async () => t.client,
      stockCheck: async (skus) => void checked.push(...skus),
    });
    await env.run(orders.pullAmazonOrders);
    // The units held back are read now: Shopify's pusher is asked to look at the SKU again (what it may offer
    // beside Seller Central moved), and the hold is over.
    expect(checked).toEqual([sku]);
    const [[held]] = await pool.query<RowDataPacket[]>(
      "SELECT unread_held FROM channel_listings WHERE channel = 'amazon' AND sku = ?",
      [sku],
    );
    expect(held).toMatchObject({ unread_held: 0 });
    await round();
    expect(await shown(Math.floor((17 - bought) / 2))).toBe(Math.floor((17 - bought) / 2));
  });

  // An order after Seller Central confirmed a quantity takes its units off the listing; once read, the ledger has
  // one less, but Amazon's share of it may be the quantity it confirmed (21 → 10, 20 → 10). Before, the listing
  // stayed `accepted` (confirmed = allocated) and Amazon kept showing 9 for good.
  it('sends the allocation again when an order read lowered the listing but not the share', async () => {
    const other = f.skus[1]!;
    amazon.state.addCatalogListing({ sku: other, quantity: 0 });
    await listingsStore(pool).enroll('amazon', [other], 'GROCERY');
    const client = amazonClientFor(amazon);
    const sync = createChannelSyncActivities({
      channels: pool,
      stock: ledgerStock(f.pools.inventory, f.reads),
      amazon: client,
    });
    const round = async () => {
      await env.run(sync.planChannel, { channel: 'amazon' as const, skus: [other] });
      await env.run(sync.sendPending, { channel: 'amazon' as const });
    };
    const orders = createAmazonOrdersActivities({
      channels: pool,
      amazon: client,
      ledger: f.ledger,
      location: 'C',
      temporal: async () => t.client,
    });
    await f.ledger.applyMovements(
      [
        {
          key: 'test/count/other',
          kind: 'count',
          sku: other,
          location: 'C',
          quantity: 21,
          occurredAt: new Date().toISOString(),
        },
      ],
      { source: 'test' },
    );
    await round();
    const end = Date.now() + 10_000;
    while (amazon.state.quantity(other) !== 10 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(amazon.state.quantity(other)).toBe(10);
    expect(amazon.marketplace.placeOrder({ skus: [other], maxLines: 1, maxUnits: 1, pendingMs: 0 })).toBeDefined();
    await env.run(orders.pullAmazonOrders);
    await round();
    const until = Date.now() + 10_000;
    while (amazon.state.quantity(other) !== 10 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(amazon.state.quantity(other), "Seller Central's share of 20").toBe(10);
  });
});
