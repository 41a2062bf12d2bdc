import { defaultPayloadConverter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelSyncWorkflowIdOn } from '../../../activities/channels/channel-signals';
import { createLedgerWatchActivities } from '../../../activities/channels/ledger-watch';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { requestStockCheck } from '../../../activities/inventory/stock-signals';
import { createPool } from '../../../db/client';
import { eventually } from '../../support/inventory/stock-fixture';
import { ledgerFixture, type LedgerFixture } from '../../support/inventory/ledger-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

// More SKUs than one read of the watch takes (5,000), all changed by one ledger commit.
const SKUS = 6_001;

// #13 full re-sync: a store count of every SKU is one ledger batch, which stamps every SKU it changed with the same
// sku_sync.changed_at. The watch read `changed_at > mark ORDER BY changed_at LIMIT 5000` and, with 10,000 SKUs at one
// time, read the same first 5,000 for ever: the Amazon channels never heard of the rest.
describe('channels ledger watch: one ledger commit changing more SKUs than a read takes', () => {
  let f: LedgerFixture;
  let t: TemporalHarness;
  let channels: ReturnType<typeof createPool>;
  beforeAll(async () => {
    f = await ledgerFixture({ products: 5 });
    t = await temporalHarness('ledger-watch');
    channels = createPool(f.urls.channels);
  });
  afterAll(async () => {
    await channels?.end();
    await t?.close();
    await f?.close();
  });

  /** Ends these workflows (each may not exist). */
  const terminateAll = async (ids: readonly string[], why: string) => {
    for (const id of ids)
      await t.client.workflow
        .getHandle(id)
        .terminate(why)
        .catch(() => undefined);
  };

  /** The SKUs signalled to one channel's sync workflow, read from its history (no worker runs it here). */
  async function signalledSkus(workflowId: string): Promise<Set<string>> {
    const history = await t.client.workflow
      .getHandle(workflowId)
      .fetchHistory()
      .catch(() => undefined);
    const out = new Set<string>();
    for (const e of history?.events ?? []) {
      const a = e.workflowExecutionSignaledEventAttributes;
      if (a?.signalName !== 'skusChanged') continue;
      const { skus } = defaultPayloadConverter.fromPayload<{ skus: string[] }>(a.input!.payloads![0]!);
      for (const s of skus) out.add(s);
    }
    return out;
  }

  it('signals every SKU of the commit to each Amazon channel', async () => {
    const changedAt = new Date(Date.now() - 1_000);
    const skus = Array.from({ length: SKUS }, (_, i) => `LW-${String(i).padStart(6, '0')}`);
    // The row shape and single timestamp the ledger writes for one batch (ledger-store bumpSkus).
    await f.pools.inventory.query('INSERT INTO sku_sync (sku, ledger_version, pushed_version, changed_at) VALUES ?', [
      skus.map((s) => [s, 1, 0, changedAt]),
    ]);
    const deps = { channels, inventory: f.pools.inventory, temporal: async () => t.client };
    const ids = (['amazon', 'amazon-vendor'] as const).map((c) => channelSyncWorkflowIdOn(c, t.queue('amazon')));
    try {
      await t.withWorkers({ data: withTemporalFailures(createLedgerWatchActivities(deps)) }, async () => {
        await t.client.workflow.start('channelsLedgerWatch', {
          workflowId: `channels-ledger-watch/${t.queue('data')}`,
          taskQueue: t.queue('data'),
          args: [{ pollMs: 100, runForMs: 5_000 }],
        });
        let got: number[] = [];
        await eventually(
          async () => {
            got = await Promise.all(ids.map(async (id) => (await signalledSkus(id)).size));
            return got.every((n) => n === SKUS);
          },
          30_000,
          500,
        ).catch((err: unknown) => {
          throw new Error(`${(err as Error).message}: SKUs signalled per channel ${got.join(', ')} of ${SKUS}`);
        });
        expect(got).toEqual([SKUS, SKUS]);
      });
    } finally {
      for (const id of [`channels-ledger-watch/${t.queue('data')}`, ...ids])
        await t.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
    }
  }, 120_000);

  // After a large commit and nothing newer, each poll (every 250 ms) re-read the whole commit from the mark minus the
  // overlap, for as long as no newer commit moved the mark: during the 10,000-SKU re-sync, 40,000 rows a second.
  it('a poll does not read a large commit again once it is past the overlap', async () => {
    await f.pools.inventory.query('UPDATE sku_sync SET changed_at = ?', [new Date(Date.now() - 60_000)]);
    await channels.query("DELETE FROM channel_cursors WHERE name = 'ledger-watch'");
    const [[c]] = await f.pools.inventory.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM sku_sync');
    const rows = Number(c!.n);
    expect(rows).toBeGreaterThanOrEqual(SKUS);
    const deps = { channels, inventory: f.pools.inventory, temporal: async () => t.client };
    const env = new MockActivityEnvironment({ taskQueue: t.queue('data') });
    const ids = (['amazon', 'amazon-vendor'] as const).map((ch) => channelSyncWorkflowIdOn(ch, t.queue('amazon')));
    try {
      const r = (await env.run(createLedgerWatchActivities(deps).watchLedger, { runForMs: 2_000, pollMs: 100 })) as {
        polls: number;
        rowsRead: number;
        signalled: number;
      };
      expect(r.polls).toBeGreaterThanOrEqual(5);
      expect(r.signalled).toBe(rows);
      expect(r.rowsRead).toBeLessThanOrEqual(rows + 10);
    } finally {
      await terminateAll(ids, 'test over');
    }
  }, 120_000);
  // An Amazon confirm asks the Shopify push to look at its SKUs again (requestStockCheck: a new ledger_version and
  // changed_at, so the pusher takes them at once). The watch followed ledger_version, so every confirm sent its SKUs
  // back to every Amazon channel to be planned again: in the 10,000-SKU re-sync, Vendor Central's confirms had
  // Seller Central plan all 10,000 again between its feed slices.
  it('signals a ledger change, not a request that Shopify look again', async () => {
    await f.pools.inventory.query('UPDATE sku_sync SET changed_at = ?', [new Date(Date.now() - 60_000)]);
    await channels.query("DELETE FROM channel_cursors WHERE name = 'ledger-watch'");
    const [checked, moved] = f.skus;
    const deps = { channels, inventory: f.pools.inventory, temporal: async () => t.client };
    const env = new MockActivityEnvironment({ taskQueue: t.queue('amazon') });
    const ids = (['amazon', 'amazon-vendor'] as const).map((ch) => channelSyncWorkflowIdOn(ch, t.queue('amazon')));
    await terminateAll(ids, 'a fresh history for this test');
    try {
      // Both SKUs seen once first (the watch signals every SKU it has not seen in this run).
      await f.ledger.applyMovements(
        [checked!, moved!].map((sku, i) => ({
          key: `lw-check/count/${i}`,
          kind: 'count' as const,
          sku,
          location: 'C',
          quantity: 20,
          occurredAt: new Date().toISOString(),
        })),
        { source: 'test' },
      );
      const run = env.run(createLedgerWatchActivities(deps).watchLedger, { runForMs: 4_000, pollMs: 100 });
      await new Promise((r) => setTimeout(r, 1_500));
      const before = await Promise.all(ids.map(signalledSkus));
      await requestStockCheck(f.pools.inventory, [checked!]);
      await f.ledger.applyMovements(
        [
          {
            key: 'lw-check/sale',
            kind: 'pos_sale',
            sku: moved!,
            location: 'C',
            quantity: 1,
            occurredAt: new Date().toISOString(),
          },
        ],
        { source: 'test' },
      );
      await run;
      for (const [i, id] of ids.entries()) {
        const history = await t.client.workflow.getHandle(id).fetchHistory();
        const batches = history
          .events!.map((e) => e.workflowExecutionSignaledEventAttributes)
          .filter((a) => a?.signalName === 'skusChanged')
          .map((a) => defaultPayloadConverter.fromPayload<{ skus: string[] }>(a!.input!.payloads![0]!).skus);
        expect(before[i]!.has(checked!) && before[i]!.has(moved!), `${id} saw both SKUs first`).toBe(true);
        const later = batches.slice(-1)[0] ?? [];
        expect(later, `${id}: the last signal`).toEqual([moved]);
        expect(
          batches.filter((b) => b.includes(checked!)),
          `${id}: signals naming the checked SKU`,
        ).toHaveLength(1);
      }
    } finally {
      await terminateAll(ids, 'test over');
    }
  }, 120_000);
});
