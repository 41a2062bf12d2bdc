import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRules, rulesAt, saveRules } from '../../../activities/channels/rules-store';
import { createPool, channelsDb, type ChannelsDb } from '../../../db/client';
import { InvalidRules } from '../../../domain/channels/rules';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { createRulesActivities } from '../../../activities/channels/rules-activities';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { WorkflowFailedError } from '@temporalio/client';
import { temporalHarness } from '../../support/temporal';

describe('allocation rules in the channels database', () => {
  let dbs: FreshDatabases;
  let pool: ReturnType<typeof createPool>;
  let inventory: ReturnType<typeof createPool>;
  let db: ChannelsDb;
  beforeAll(async () => {
    dbs = await freshDatabases();
    pool = createPool(dbs.channels);
    inventory = createPool(dbs.inventory);
    db = channelsDb(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await inventory?.end();
    await dbs?.drop();
  });

  it('stores each change as a new version, keeps the old one, and says which SKUs it affects', async () => {
    expect((await currentRules(db)).version).toBe(0);
    const first = await saveRules(
      db,
      {
        channels: { shopify: { percent: 100 }, amazon: { percent: 50, buffer: 1 } },
        overrides: [{ sku: 'S1', channel: 'amazon', maxListed: 3 }],
      },
      'test',
      'initial',
    );
    expect(first.affected).toEqual({ all: true });
    const second = await saveRules(
      db,
      {
        channels: { shopify: { percent: 100 }, amazon: { percent: 50, buffer: 1 } },
        overrides: [{ sku: 'S2', channel: 'amazon', percent: 0 }],
      },
      'test',
    );
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.affected).toEqual({ all: false, skus: ['S1', 'S2'] });
    const now = await currentRules(db);
    expect(now.version).toBe(second.version);
    expect(now.set.overrides).toEqual([{ sku: 'S2', channel: 'amazon', percent: 0 }]);
    expect((await rulesAt(db, first.version)).overrides[0]).toMatchObject({ sku: 'S1', maxListed: 3 });
  });

  it('a rule that does not parse is refused with every problem and stores nothing', async () => {
    const before = (await currentRules(db)).version;
    await expect(saveRules(db, { channels: { amazon: { percent: 'half' } } }, 'test')).rejects.toBeInstanceOf(
      InvalidRules,
    );
    expect((await currentRules(db)).version).toBe(before);
  });

  it('channelRulesChange stores the version and re-syncs the affected SKUs on each channel, Shopify too; a bad document fails at once', async () => {
    const t = await temporalHarness('channel-rules');
    // A SKU the ledger holds, pushed and up to date (a name no other file uses).
    const sku = `RULES-${Date.now()}`;
    await inventory.query(
      "INSERT INTO sku_sync (sku, ledger_version, pushed_version, pushed_signature, changed_at) VALUES (?, 1, 1, 'pushed-before', ?)",
      [sku, new Date()],
    );
    try {
      const acts = withTemporalFailures(
        createRulesActivities({ channels: pool, inventory, temporal: async () => t.client }),
      );
      await t.withWorkers({ data: acts }, async () => {
        const before = (await currentRules(db)).version;
        const doc = { channels: { amazon: { percent: 25 } }, overrides: [] };
        const r = await t.client.workflow.execute('channelRulesChange', {
          taskQueue: t.queue('data'),
          workflowId: `channel-rules/test-${Date.now()}`,
          args: [{ doc, author: 'test' }],
        });
        expect(r).toEqual({ version: before + 1, affected: 'all' });
        // The affected channels were signalled (signalWithStart) on this file's amazon queue.
        for (const c of ['amazon', 'amazon-vendor']) {
          const h = t.client.workflow.getHandle(`channel-sync/${c}@${t.queue('amazon')}`);
          const d = await h.describe();
          expect(d.taskQueue).toBe(t.queue('amazon'));
          await h.terminate();
        }
        // Shopify's share changed too: the SKU is queued for a push whatever its signature, and the batched
        // pusher was woken on this file's shopify queue.
        const [[row]] = (await inventory.query(
          'SELECT pushed_version AS pushed, ledger_version AS ledger, pushed_signature AS signature FROM sku_sync WHERE sku = ?',
          [sku],
        )) as unknown as [{ pushed: number; ledger: number; signature: string | null }[]];
        expect(row!.pushed).toBeLessThan(row!.ledger);
        expect(row!.signature).toBeNull();
        const push = await t.client.workflow.getHandle(`inventory-push/${t.queue('shopify')}`).describe();
        expect(push.taskQueue).toBe(t.queue('shopify'));
        await t.client.workflow.getHandle(`inventory-push/${t.queue('shopify')}`).terminate();
        const bad = t.client.workflow.execute('channelRulesChange', {
          taskQueue: t.queue('data'),
          workflowId: `channel-rules/test-bad-${Date.now()}`,
          args: [{ doc: { channels: { amazon: { percent: 250 } } }, author: 'test' }],
        });
        await expect(bad).rejects.toBeInstanceOf(WorkflowFailedError);
        expect((await currentRules(db)).version).toBe(before + 1);
      });
    } finally {
      await t.close();
    }
  });
});
