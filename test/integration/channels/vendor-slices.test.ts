import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listingsStore } from '../../../activities/channels/listings-store';
import { saveRules } from '../../../activities/channels/rules-store';
import { createChannelSyncActivities, type StockSource } from '../../../activities/channels/sync';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { AmazonClient } from '../../../connectors/amazon';
import { channelsDb, createPool } from '../../../db/client';
import { allocate } from '../../../domain/channels/allocation';
import { parseRuleSet, rulesFor } from '../../../domain/channels/rules';
import { startModelServer, type ModelServer } from '../../support/channels/model-server';
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
        amazon: new AmazonClient({
          endpoint: amazon.url,
          lwa: {
            clientId: 'c',
            clientSecret: 'secret-1',
            refreshToken: 'Atzr|r',
            tokenUrl: `${amazon.url}/auth/o2/token`,
          },
          sellerId: 'A1SELLER',
          marketplaceId: 'A1F83G8C2ARO7P',
          backoffMs: 20,
        }),
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
