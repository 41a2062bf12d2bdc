import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonOrdersActivities } from '../../../activities/channels/amazon-orders';
import { ledgerStock } from '../../../activities/channels/ledger-stock';
import { createLedgerWatchActivities } from '../../../activities/channels/ledger-watch';
import { listingsStore } from '../../../activities/channels/listings-store';
import { saveRules } from '../../../activities/channels/rules-store';
import { createChannelSyncActivities } from '../../../activities/channels/sync';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { AmazonClient } from '../../../connectors/amazon';
import { channelsDb, createPool } from '../../../db/client';
import { allocate } from '../../../domain/channels/allocation';
import type { Channel } from '../../../domain/channels/channels';
import { parseRuleSet, rulesFor } from '../../../domain/channels/rules';
import { loadConfig } from '../../../workers/config';
import { ledgerFixture, type LedgerFixture } from '../../support/inventory/ledger-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const RULES = {
  channels: {
    shopify: { percent: 50, priority: 1 },
    amazon: { percent: 30, priority: 2 },
    'amazon-vendor': { percent: 20, priority: 3 },
  },
};
const sandbox = () => process.env.AMAZON_SANDBOX_URL!;
const inspect = async <T>(path: string): Promise<T> =>
  (await (await fetch(`${sandbox()}/_sandbox/${path}`)).json()) as T;

async function until(what: string, check: () => Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The shared sandbox's visible quantity of a SKU (GET /_sandbox/listings?sku=), whatever the reply nests it in. */
async function visibleQuantity(sku: string): Promise<number | undefined> {
  const body = await inspect<unknown>(`listings?sku=${encodeURIComponent(sku)}`);
  const list = Array.isArray(body) ? body : ((body as { listings?: unknown[] }).listings ?? [body]);
  const l = list.find((x) => (x as { sku?: string }).sku === sku) as { quantity?: number } | undefined;
  return l?.quantity;
}

// Against the run's shared Amazon sandbox (AMAZON_* from the global setup) and the real stock ledger.
describe('Amazon channels on the sandbox, driven by the stock ledger', () => {
  let f: LedgerFixture;
  let pool: ReturnType<typeof createPool>;
  let t: TemporalHarness;
  let amazon: AmazonClient;
  const stock = new Map<string, number>();
  beforeAll(async () => {
    f = await ledgerFixture({ products: 20 });
    pool = createPool(f.urls.channels);
    t = await temporalHarness('amazon-sandbox-sync');
    const c = loadConfig().amazon!;
    amazon = new AmazonClient({ ...c, lwa: c.lwa });
    await saveRules(channelsDb(pool), RULES, 'test');
    const skus = f.skus.slice(0, 12);
    skus.forEach((s, i) => stock.set(s, (i * 5) % 31));
    await f.ledger.applyMovements(
      skus.map((sku) => ({
        key: `test/count/${sku}`,
        kind: 'count' as const,
        sku,
        location: 'C',
        quantity: stock.get(sku)!,
        occurredAt: new Date().toISOString(),
      })),
      { source: 'test' },
    );
    // Catalogue listings (buyable on the marketplace), with no stock until we send their allocation.
    const seeded = await fetch(`${sandbox()}/_sandbox/listings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ listings: skus.map((sku) => ({ sku, quantity: 0 })) }),
    });
    expect(seeded.ok).toBe(true);
    await listingsStore(pool).enroll('amazon', skus, 'GROCERY');
    await listingsStore(pool).enroll('amazon-vendor', skus, null);
  });
  afterAll(async () => {
    await t?.close();
    await pool?.end();
    await f?.close();
  });

  const expected = (channel: Channel, sku: string) =>
    allocate(stock.get(sku) ?? 0, rulesFor(parseRuleSet(RULES), sku)).get(channel) ?? 0;

  it('allocations reach Seller Central and Vendor Central, a ledger change follows, an Amazon order reserves in the ledger', async () => {
    const deps = { channels: pool, inventory: f.pools.inventory, temporal: async () => t.client };
    const activities = {
      amazon: withTemporalFailures({
        ...createChannelSyncActivities({
          channels: pool,
          stock: ledgerStock(f.pools.inventory, f.reads),
          amazon,
          vendor: loadConfig().amazon!.vendor,
          retryBaseMs: 500,
        }),
      }),
      data: withTemporalFailures(createLedgerWatchActivities(deps)),
    };
    const skus = [...stock.keys()];
    await t.withWorkers(activities, async () => {
      const handles = await Promise.all(
        (['amazon', 'amazon-vendor'] as const).map((channel) =>
          t.client.workflow.signalWithStart('channelSync', {
            workflowId: `channel-sync/${channel}@${t.queue('amazon')}`,
            taskQueue: t.queue('amazon'),
            args: [{ channel, dirty: [], all: false, rounds: 0 }],
            signal: 'resync',
            signalArgs: [{}],
          }),
        ),
      );
      await until('Seller Central shows each allocation', async () => {
        for (const s of skus) if ((await visibleQuantity(s)) !== expected('amazon', s)) return false;
        return true;
      });
      const vendor = JSON.stringify(await inspect<unknown>('vendor/inventory'));
      for (const s of skus) expect(vendor).toContain(s);

      // The ledger watch, started like production: a POS sale on one SKU reaches Amazon through it alone.
      const watch = await t.client.workflow.start('channelsLedgerWatch', {
        workflowId: `channels-ledger-watch/${t.queue('data')}`,
        taskQueue: t.queue('data'),
        args: [{ pollMs: 200, runForMs: 20_000 }],
      });
      const sku = skus.find((s) => stock.get(s)! >= 10)!;
      const started = Date.now();
      await f.ledger.applyMovements(
        [
          {
            key: `test/pos/${sku}`,
            kind: 'pos_sale',
            sku,
            location: 'C',
            quantity: 6,
            occurredAt: new Date().toISOString(),
          },
        ],
        { source: 'test' },
      );
      stock.set(sku, stock.get(sku)! - 6);
      await until(
        'the sale reaches Seller Central',
        async () => (await visibleQuantity(sku)) === expected('amazon', sku),
      );
      console.log(`[channels] ledger change → Seller Central visible in ${Date.now() - started} ms`);
      const [[cursor]] = await pool.query<RowDataPacket[]>(
        "SELECT position FROM channel_cursors WHERE name = 'ledger-watch'",
      );
      expect(cursor).toBeDefined();
      await watch.terminate();
      for (const h of handles) await h.terminate();
    });

    // An Amazon order for one of our SKUs: reserved in the ledger, keyed by order item, once however often it is read.
    const sku = skus.find((s) => expected('amazon', s) >= 2)!;
    const placed = await fetch(`${sandbox()}/_sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, skus: [sku], maxLines: 1, maxUnits: 1 }),
    });
    expect(placed.ok, await placed.clone().text()).toBe(true);
    console.log(`[channels] placed: ${await placed.text()}`);
    const orders = createAmazonOrdersActivities({
      channels: pool,
      amazon,
      ledger: f.ledger,
      location: 'C',
      temporal: async () => t.client,
    });
    const { MockActivityEnvironment } = await import('@temporalio/testing');
    const env = new MockActivityEnvironment({ taskQueue: t.queue('amazon') });
    const first = (await env.run(orders.pullAmazonOrders)) as { orders: number; applied: number };
    expect(first.orders).toBeGreaterThanOrEqual(1);
    const again = (await env.run(orders.pullAmazonOrders)) as { orders: number; applied: number };
    expect(again.applied).toBe(0);
    const rows = await f.query<{ line_key: string; open: number; channel: string }>(
      "SELECT line_key, open, channel FROM reservations WHERE sku = ? AND channel = 'amazon'",
      [sku],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.open).toBe(1);
  });
});
