import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStockyCsv } from '../../../activities/extraction/stocky-import';
import { readDeadLetter } from '../../../lake/dead-letters';
import { openLakeQuery } from '../../../lake/lake-query';
import type { Lake } from '../../../lake/lake-writer';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';
import { SAMPLE_STOCK_LOCATIONS } from '../../support/extraction/stock-locations';

const fixture = (name: string) =>
  fs.readFileSync(path.join(import.meta.dirname, '../../support/extraction', name), 'utf8');

describe('Stocky CSV exports → stock.* lake tables, row by row', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const bucket = `stocky-${randomUUID().slice(0, 8)}`;
  const quarantine = `stockyq-${randomUUID().slice(0, 8)}`;
  const lake: Lake = { s3, bucket, quarantineBucket: quarantine };
  beforeAll(async () => ensureBuckets(s3, [bucket, quarantine]));
  afterAll(() => s3.destroy());

  async function query(sql: string) {
    const q = await openLakeQuery({ aws: config.aws, s3, bucket, cacheDir: os.tmpdir() });
    try {
      return await q.query(sql);
    } finally {
      q.close();
    }
  }

  it('writes the good rows, quarantines each bad one with its reason, and a second import duplicates nothing', async () => {
    const adj = await importStockyCsv(
      lake,
      'adjustments',
      'stocky-adjustments.csv',
      fixture('stocky-adjustments.csv'),
      SAMPLE_STOCK_LOCATIONS,
    );
    expect(adj).toMatchObject({ rows: 8, written: 5, quarantined: 3 });
    const reasons = (await readDeadLetter(lake, adj.deadLetters[0]!)).rows!.map((r) => r.reasons.join('; '));
    expect(reasons).toEqual([
      'occurred_at: not a timestamp: "not a date"; updated_at: not a timestamp: "not a date"',
      'sku: required field missing',
      'quantity_delta: not an integer: "two"',
    ]);
    const tr = await importStockyCsv(
      lake,
      'transfers',
      'stocky-transfers.csv',
      fixture('stocky-transfers.csv'),
      SAMPLE_STOCK_LOCATIONS,
    );
    expect(tr).toMatchObject({ rows: 5, written: 3, quarantined: 2 });
    const po = await importStockyCsv(
      lake,
      'purchase_orders',
      'stocky-pos.csv',
      fixture('stocky-purchase-orders.csv'),
      SAMPLE_STOCK_LOCATIONS,
    );
    expect(po).toMatchObject({ rows: 5, written: 4, quarantined: 1 });
    await importStockyCsv(
      lake,
      'adjustments',
      'stocky-adjustments.csv',
      fixture('stocky-adjustments.csv'),
      SAMPLE_STOCK_LOCATIONS,
    );
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
      importStockyCsv(lake, 'transfers', 'adjustments.csv', fixture('stocky-adjustments.csv'), SAMPLE_STOCK_LOCATIONS),
    ).rejects.toThrow(/not a Stocky transfers export: no Transfer #, From Location/);
  });
});
