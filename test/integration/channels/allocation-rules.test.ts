import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRules, rulesAt, saveRules } from '../../../activities/channels/rules-store';
import { createPool, channelsDb, type ChannelsDb } from '../../../db/client';
import { InvalidRules } from '../../../domain/channels/rules';
import { freshDatabases, type FreshDatabases } from '../../support/db';

describe('allocation rules in the channels database', () => {
  let dbs: FreshDatabases;
  let pool: ReturnType<typeof createPool>;
  let db: ChannelsDb;
  beforeAll(async () => {
    dbs = await freshDatabases();
    pool = createPool(dbs.channels);
    db = channelsDb(pool);
  });
  afterAll(async () => {
    await pool?.end();
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
});
