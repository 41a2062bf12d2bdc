import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStockyCsv } from '../../../activities/extraction/stocky-import';
import { readDeadLetter } from '../../../lake/dead-letters';
import type { Lake } from '../../../lake/lake-writer';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';
import { importStockySample, SAMPLE_STOCK_LOCATIONS, stockySample } from '../../support/extraction/stock-locations';
import { queryLake } from '../../support/extraction/shopify-lake';

describe('Stocky CSV exports → stock.* lake tables, row by row', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const bucket = `stocky-${randomUUID().slice(0, 8)}`;
  const quarantine = `stockyq-${randomUUID().slice(0, 8)}`;
  const lake: Lake = { s3, bucket, quarantineBucket: quarantine };
  beforeAll(async () => ensureBuckets(s3, [bucket, quarantine]));
  afterAll(() => s3.destroy());

  const query = <T = Record<string, unknown>>(sql: string) => queryLake<T>(config.aws, s3, bucket, sql);

  it('writes the good rows, quarantines each bad one with its reason, and a second import duplicates nothing', async () => {
    const adj = await importStockySample(lake, 'adjustments');
    expect(adj).toMatchObject({ rows: 8, written: 5, quarantined: 3 });
    const reasons = (await readDeadLetter(lake, adj.deadLetters[0]!)).rows!.map((r) => r.reasons.join('; '));
    expect(reasons).toEqual([
      'occurred_at: not a timestamp: "not a date"; updated_at: not a timestamp: "not a date"',
      'sku: required field missing',
      'quantity_delta: not an integer: "two"',
    ]);
    const tr = await importStockySample(lake, 'transfers');
    expect(tr).toMatchObject({ rows: 5, written: 3, quarantined: 2 });
    const po = await importStockySample(lake, 'purchase_orders');
    expect(po).toMatchObject({ rows: 5, written: 4, quarantined: 1 });
    await importStockySample(lake, 'adjustments');
    expect(await query(`SELECT count(*)::INT AS n, sum(quantity_delta)::INT AS q FROM stock.adjustments`)).toEqual([
      { n: 5, q: -1 },
    ]);
    // Local store time (-04:00) stored as UTC.
    expect(
      await query(
        `SELECT strftime(occurred_at, '%Y-%m-%dT%H:%M') AS t FROM stock.adjustments WHERE adjustment_id = 'ADJ-1002'`,
      ),
    ).toEqual([{ t: '2026-03-05T20:40' }]);
    expect(await query(`SELECT transfer_id, status FROM stock.transfers ORDER BY created_at, sku`)).toEqual([
      { transfer_id: 'T-501', status: 'RECEIVED' },
      { transfer_id: 'T-501', status: 'RECEIVED' },
      { transfer_id: 'T-502', status: 'IN_TRANSIT' },
    ]);
  });

  it('refuses a file that is not the named export, naming the missing columns', async () => {
    await expect(
      importStockyCsv(lake, 'transfers', 'adjustments.csv', stockySample('adjustments'), SAMPLE_STOCK_LOCATIONS),
    ).rejects.toThrow(/not a Stocky transfers export: no Transfer #, From Location/);
  });
});
