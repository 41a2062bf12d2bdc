import type { RowDataPacket } from 'mysql2/promise';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listingsStore } from '../../../activities/channels/listings-store';
import { saveRules } from '../../../activities/channels/rules-store';
import { createChannelSyncActivities, type SendResult, type StockSource } from '../../../activities/channels/sync';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { channelsDb, createPool } from '../../../db/client';
import { allocate } from '../../../domain/channels/allocation';
import { parseRuleSet, rulesFor } from '../../../domain/channels/rules';
import { modelServerClient, startModelServer, type ModelServer } from '../../support/channels/model-server';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

// #13, the 10,000-SKU re-sync: Vendor Central's first transaction went out 3.6 s after the ledger held the counts,
// because the round planned (wrote the allocation of) every SKU before it sent any. VDF batches carry no
// whole-round constraint (unlike a feed), so a large round is planned and sent slice by slice.
const RULES = { channels: { 'amazon-vendor': { percent: 20 } } };
const SKUS = Array.from({ length: 5_000 }, (_, i) => `VS-${String(i).padStart(5, '0')}`);
const stock = new Map(SKUS.map((s, i) => [s, 10 + (i % 50)]));
const stockSource: StockSource = {
  availableToSell: async (skus) => new Map(skus.map((s) => [s, { available: stock.get(s) ?? 0, version: 1 }])),
};
const expected = (sku: string) =>
  allocate(stock.get(sku) ?? 0, rulesFor(parseRuleSet(RULES), sku)).get('amazon-vendor') ?? 0;

describe('Vendor Central: a large round', () => {
  let dbs: FreshDatabases;
  let pool: ReturnType<typeof createPool>;
  let amazon: ModelServer;
  let t: TemporalHarness;
  beforeAll(async () => {
    dbs = await freshDatabases();
    pool = createPool(dbs.channels);
    amazon = await startModelServer();
    t = await temporalHarness('vendor-slices');
    await saveRules(channelsDb(pool), RULES, 'test');
    await listingsStore(pool).enroll('amazon-vendor', SKUS, null);
  });
  afterAll(async () => {
    await t?.close();
    await amazon?.close();
    await pool?.end();
    await dbs?.drop();
  });

  it('sends its first VDF batch before the whole round is planned, and every SKU ends accepted', async () => {
    const activities = withTemporalFailures(
      createChannelSyncActivities({
        channels: pool,
        stock: stockSource,
        amazon: modelServerClient(amazon, { backoffMs: 20 }),
        vendor: { partyId: 'VENDOR1', warehouses: [{ id: 'WH1', locations: null }] },
      }),
    );
    const workflowId = `channel-sync/amazon-vendor/${t.queue('amazon')}`;
    await t.withWorkers({ amazon: activities }, async () => {
      await t.client.workflow.signalWithStart('channelSync', {
        workflowId,
        taskQueue: t.queue('amazon'),
        args: [{ channel: 'amazon-vendor', dirty: [], all: false, rounds: 0 }],
        signal: 'skusChanged',
        signalArgs: [{ skus: SKUS }],
      });
      const end = Date.now() + 90_000;
      for (;;) {
        const [[r]] = await pool.query<RowDataPacket[]>(
          "SELECT COUNT(*) AS n FROM channel_listings WHERE channel = 'amazon-vendor' AND status = 'accepted'",
        );
        if (Number(r!.n) === SKUS.length) break;
        if (Date.now() > end) throw new Error(`${r!.n} of ${SKUS.length} accepted after 90 s`);
        await new Promise((res) => setTimeout(res, 250));
      }
    });
    expect(SKUS.filter((s) => amazon.vendorInventory.get(s) !== expected(s))).toEqual([]);
    // Only planned SKUs go: every SKU here is allocated 2 or more, so a 0 sent is an enrolled row's placeholder
    // (before, the first send took the 3,000 SKUs of the later slices at 0).
    const zeros = amazon.requests
      .filter((r) => r.path.startsWith('/vendor/directFulfillment/'))
      .flatMap((r) => (r.body as { inventory: { items: { availableQuantity: { amount: number } }[] } }).inventory.items)
      .filter((i) => i.availableQuantity.amount === 0);
    expect(zeros).toHaveLength(0);

    const history = await t.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((n): n is string => !!n);
    const firstSend = scheduled.indexOf('sendPending');
    const lastPlan = scheduled.lastIndexOf('planChannel');
    expect(scheduled.filter((n) => n === 'planChannel').length).toBeGreaterThan(1);
    expect(firstSend).toBeLessThan(lastPlan);
    // Each VDF submission is followed once, although later sends hand back those still being followed.
    const follows = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'followSubmission');
    const [subs] = await pool.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM channel_submissions WHERE channel = 'amazon-vendor'",
    );
    expect(follows).toHaveLength(Number(subs[0]!.n));
    await t.client.workflow.getHandle(workflowId).terminate('test over');
  }, 180_000);
});

// A retried send can run beside the attempt it replaces (a worker stalled past the heartbeat timeout keeps running
// the old one). In the CI run of 2026-12-01 this test's round above ended with hundreds of SKUs accepted in the store
// but held by Vendor Central at the quantity an older batch carried. Senders of one channel now take turns.
describe('Vendor Central: two sends at once', () => {
  let dbs: FreshDatabases;
  let pool: ReturnType<typeof createPool>;
  let amazon: ModelServer;
  const levels = new Map([['VL-00001', 10]]);
  const source: StockSource = {
    availableToSell: async (skus) => new Map(skus.map((s) => [s, { available: levels.get(s) ?? 0, version: 1 }])),
  };
  beforeAll(async () => {
    dbs = await freshDatabases();
    pool = createPool(dbs.channels);
    amazon = await startModelServer();
    await saveRules(channelsDb(pool), RULES, 'test');
    await listingsStore(pool).enroll('amazon-vendor', ['VL-00001'], null);
  });
  afterAll(async () => {
    await amazon?.close();
    await pool?.end();
    await dbs?.drop();
  });

  it('take turns, so the channel ends on the newest allocation', async () => {
    // Two workers' worth of activities (each its own client), as a stalled attempt and its retry would be.
    const worker = () =>
      createChannelSyncActivities({
        channels: pool,
        stock: source,
        amazon: modelServerClient(amazon, { backoffMs: 20 }),
        vendor: { partyId: 'VENDOR1', warehouses: [{ id: 'WH1', locations: null }] },
      });
    const [stalled, retry] = [worker(), worker()];
    const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A) =>
      new MockActivityEnvironment().run(fn, ...args);
    const vdf = () => amazon.requests.filter((r) => r.path.startsWith('/vendor/directFulfillment/'));
    const channel = 'amazon-vendor' as const;

    await run(stalled.planChannel, { channel });
    amazon.replyDelays.set('submitInventoryUpdate', [1_500]);
    const first = run(stalled.sendPending, { channel });
    for (let i = 0; i < 200 && vdf().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(vdf()).toHaveLength(1);
    // The count moves while the first batch's reply is slow; the retry plans and sends.
    levels.set('VL-00001', 30);
    await run(retry.planChannel, { channel });
    const second = run(retry.sendPending, { channel });
    const sends = (await Promise.all([first, second])) as SendResult[];

    // Follow what was submitted, then send and follow what is still pending, as the next round would.
    for (const f of sends.flatMap((s) => s.follow)) await run(retry.followSubmission, { channel, ...f });
    const last = (await run(retry.sendPending, { channel })) as SendResult;
    for (const f of last.follow) await run(retry.followSubmission, { channel, ...f });

    const calls = vdf();
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.at).toBeGreaterThanOrEqual(calls[i - 1]!.repliedAt!);
    expect(amazon.vendorInventory.get('VL-00001')).toBe(6);
    const [[row]] = await pool.query<RowDataPacket[]>(
      "SELECT status, confirmed FROM channel_listings WHERE channel = 'amazon-vendor' AND sku = 'VL-00001'",
    );
    expect(row).toMatchObject({ status: 'accepted', confirmed: 6 });
  }, 60_000);
});
