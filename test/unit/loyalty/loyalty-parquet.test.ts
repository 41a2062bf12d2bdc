import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { loyaltyCsv, type LoyaltyCsvExpectation } from '../../../lake/demo/loyalty-csv';
import { convertLoyaltyCsv } from '../../../lake/loyalty-parquet';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loyalty-unit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const STORES = ['EMERALD', 'C', 'SUNSET', 'OISTINS'];

async function query(sql: string) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** The row numbers in a quarantine file (its first column), in file order. */
const rejectedRowNumbers = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[0]));

describe('loyalty CSV → Parquet', () => {
  it('rejects every kind of bad row with its file row number and reason, and converts the rest typed', async () => {
    const csv = path.join(dir, 'small.csv');
    fs.writeFileSync(
      csv,
      [
        'transaction_id,card_number,store_code,points_delta,reason,occurred_at',
        '1,600000000001,C,10,purchase,2024-01-31 22:00', // local time → 2024-02-01T02:00Z: February
        '2,600000000001,ATLANTIS,5,purchase,2024-01-01T00:00:00Z', // row 2: unknown store (reader reject)
        '3,600000000002,emerald,12.5,purchase,2024-01-01T00:00:00Z', // row 3: enum is case-sensitive, and 12.5
        '4,600000000002,EMERALD,-7,redemption,2024-03-01T00:00:00+01:00',
        '5,600000000002,C,3,bonus,2024-13-01T00:00:00Z', // row 5: bad month (rule reject)
        ',600000000002,C,3,bonus,2024-01-01T00:00:00Z', // row 6: no id
        '7,123,C,3,bonus,2024-01-01T00:00:00Z', // row 7: short card (rule reject, after reader rejects)
        '8,600000000003,SUNSET,1e3,bonus,2024-01-05T00:00:00Z', // row 8: exponent
        '9,600000000003,SUNSET,4,bonus', // row 9: missing column
        '10,600000000003,SUNSET,6,gift,2024-01-05T00:00:00Z', // row 10: unknown reason
        '11,600000000003,SUNSET,6,bonus,2024-01-05T00:00:00Z',
      ].join('\n'),
    );
    const out = path.join(dir, 'small');
    const r = await convertLoyaltyCsv({ csvPath: csv, outDir: out, storeCodes: STORES, compression: 'zstd' });
    expect(r).toMatchObject({ read: 11, converted: 3, quarantined: 8, cards: 3, pointsSum: 9 });
    expect(r.months.map((m) => m.month)).toEqual(['2024-01', '2024-02']);

    const rejects = fs.readFileSync(r.rejectsPath!, 'utf8').trim().split('\n').slice(1);
    expect(rejectedRowNumbers(r.rejectsPath!)).toEqual([2, 3, 5, 6, 7, 8, 9, 10]);
    expect(rejects.find((l) => l.startsWith('5,'))).toContain('occurred_at not a timestamp');
    expect(rejects.find((l) => l.startsWith('7,'))).toContain('card_number must be 8-18 digits');
    expect(rejects.find((l) => l.startsWith('8,'))).toContain('points_delta');

    const schema = await query(
      `SELECT name, type, logical_type, converted_type FROM parquet_schema('${r.months[0]!.files[0]}')`,
    );
    const byName = Object.fromEntries(schema.map((s) => [s.name, s]));
    expect(byName.transaction_id!.type).toBe('INT64');
    expect(byName.card_number!.type).toBe('INT64');
    expect(byName.points_delta!.type).toBe('INT32');
    expect(String(byName.occurred_at!.logical_type)).toMatch(/isAdjustedToUTC=1|isAdjustedToUTC=true/i);
    const meta = await query(
      `SELECT DISTINCT path_in_schema, compression, encodings FROM parquet_metadata('${r.months[0]!.files[0]}')`,
    );
    expect(meta.every((m) => m.compression === 'ZSTD')).toBe(true);
    expect(meta.find((m) => m.path_in_schema === 'store_code')!.encodings).toMatch(/DICTIONARY/);

    // Months are UTC months: 22:00 local on 31 January and 00:00+01:00 on 1 March are both February in UTC.
    const feb = await query(
      `SELECT transaction_id, timezone('UTC', occurred_at)::VARCHAR AS utc FROM read_parquet('${r.months[1]!.files[0]}') ORDER BY 1`,
    );
    expect(feb).toEqual([
      { transaction_id: '1', utc: '2024-02-01 02:00:00' },
      { transaction_id: '4', utc: '2024-02-29 23:00:00' },
    ]);
    const contributions = fs
      .readFileSync(r.contributionsPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(contributions).toEqual([
      { cardNumber: '600000000001', points: 10, transactions: 1, lastActivityAt: '2024-02-01T02:00:00.000Z' },
      { cardNumber: '600000000002', points: -7, transactions: 1, lastActivityAt: '2024-02-29T23:00:00.000Z' },
      { cardNumber: '600000000003', points: 6, transactions: 1, lastActivityAt: '2024-01-05T00:00:00.000Z' },
    ]);
  });

  it('reads timestamps in every accepted shape, and a zone name neither passes nor shifts the rows after it', async () => {
    const shapes: [string, string | null][] = [
      ['2024-01-10T12:00:00Z', '2024-01-10 12:00:00'],
      ['2024-01-10 12:00:00 UTC', null], // zone names are refused…
      ['2024-01-10 12:00:00', '2024-01-10 16:00:00'], // …and do not carry over: local time is still -04:00
      ['2024-01-10 12:00:00 America/New_York', null],
      ['2024-01-10 12:00', '2024-01-10 16:00:00'],
      ['2024-01-10', '2024-01-10 04:00:00'],
      ['2024-01-10T12:00:00.250', '2024-01-10 16:00:00.25'],
      ['2024-01-10T12:00:00.123456z', '2024-01-10 12:00:00.123456'],
      ['2024-01-10T12:00:00+01:00', '2024-01-10 11:00:00'],
      ['2024-01-10T12:00:00-0400', '2024-01-10 16:00:00'],
      ['2024-01-10T12:00:00+05', '2024-01-10 07:00:00'],
      ['2024-02-30T12:00:00Z', null],
      ['2024-01-10T25:00:00', null],
      ['yesterday', null],
    ];
    const csv = path.join(dir, 'shapes.csv');
    fs.writeFileSync(
      csv,
      [
        'transaction_id,card_number,store_code,points_delta,reason,occurred_at',
        ...shapes.map(([ts], i) => `${i + 1},600000000001,C,1,bonus,${ts}`),
      ].join('\n'),
    );
    const r = await convertLoyaltyCsv({ csvPath: csv, outDir: path.join(dir, 'shapes'), storeCodes: STORES });
    const files = r.months.flatMap((m) => m.files).map((f) => `'${f}'`);
    const rows = await query(
      `SELECT transaction_id, timezone('UTC', occurred_at)::VARCHAR AS utc FROM read_parquet([${files.join(', ')}]) ORDER BY 1`,
    );
    const want = shapes.flatMap(([, utc], i) => (utc ? [{ transaction_id: String(i + 1), utc }] : []));
    expect(rows).toEqual(want);
    const rejected = rejectedRowNumbers(r.rejectsPath!);
    expect(rejected).toEqual(shapes.flatMap(([, utc], i) => (utc ? [] : [i + 1])));
  });

  it('numbers rejected rows by their place in the file across parallel reads of a large file', async () => {
    const csv = path.join(dir, 'large.csv');
    const want: Partial<LoyaltyCsvExpectation> = {};
    fs.writeFileSync(csv, [...loyaltyCsv({ rows: 400_000, seed: 11, badRate: 0.005 }, want)].join(''));
    expect(fs.statSync(csv).size).toBeGreaterThan(16 * 1024 * 1024); // more than one CSV buffer per thread
    const r = await convertLoyaltyCsv({ csvPath: csv, outDir: path.join(dir, 'large'), storeCodes: STORES });
    const rejected = rejectedRowNumbers(r.rejectsPath!);
    expect(rejected).toEqual(want.badRows);
  });

  it('accounts for every generated row and produces identical files when run twice', async () => {
    const csv = path.join(dir, 'gen.csv');
    const want: Partial<LoyaltyCsvExpectation> = {};
    fs.writeFileSync(csv, [...loyaltyCsv({ rows: 50_000, seed: 9, badRate: 0.01 }, want)].join(''));
    const a = await convertLoyaltyCsv({ csvPath: csv, outDir: path.join(dir, 'a'), storeCodes: STORES });
    const b = await convertLoyaltyCsv({ csvPath: csv, outDir: path.join(dir, 'b'), storeCodes: STORES });
    expect(a).toMatchObject({
      read: 50_000,
      quarantined: want.bad,
      converted: 50_000 - want.bad!,
      pointsSum: want.pointsSum,
    });
    const bytes = (r: typeof a) => r.months.flatMap((m) => m.files.map((f) => fs.readFileSync(f).toString('base64')));
    expect(bytes(b)).toEqual(bytes(a));
    const codecs = await query(`SELECT DISTINCT compression FROM parquet_metadata('${a.months[0]!.files[0]}')`);
    expect(codecs).toEqual([{ compression: 'SNAPPY' }]); // the default
    expect(fs.readFileSync(b.rejectsPath!, 'utf8')).toBe(fs.readFileSync(a.rejectsPath!, 'utf8'));
  });
});
