import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoyaltyActivities } from '../../../activities/loyalty/loyalty';
import {
  createLoyaltyExportActivities,
  type LoyaltyDayExport,
  type LoyaltyExportManifest,
} from '../../../activities/loyalty/loyalty-export';
import { createStoreDb, type DbHandle, type StoreDb } from '../../../db/client';
import { rng } from '../../../db/seed/random';
import { loyaltyTransactions, stores } from '../../../db/store/schema';
import { loyaltyConvertWorkflowId } from '../../../domain/platform/file-workflows';
import { loyaltyStoreExportKey, loyaltyStoreExportManifestKey } from '../../../lake/layout';
import { loyaltyStoreExport, loyaltyStoreExportDay, loyaltyStoreExportDayId } from '../../../workflows';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { freshTables, scanAll } from '../../support/customers/customers-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const config = loadConfig();
const deps = createDeps(config);
const DAY_ROWS = 1200;
const r = rng(61);
// A day of this file's own (the incoming key is per day), far from any other test's data.
const day = `20${40 + r.int(0, 59)}-0${r.int(1, 9)}-${r.int(10, 28)}`;
const dayStart = Date.parse(`${day}T00:00:00.000Z`);

/** The day's rows with ids out of time order, a gap at id 1500, three bad ones, and neighbours just outside the day. */
function dayRows() {
  const ids = Array.from({ length: DAY_ROWS }, (_, i) => 1000 + i + (i >= 500 ? 1 : 0)).sort(() => r.next() - 0.5);
  const rows = ids.map((id, i) => ({
    id,
    cardNumber: String(600_000_000_000 + r.int(1, 150)),
    storeCode: r.pick(['EMERALD', 'SUNSET']),
    pointsDelta: r.chance(0.8) ? r.int(1, 200) : -r.int(1, 300),
    reason: r.pick(['purchase', 'redemption', 'bonus']),
    // The first row at exactly midnight (inside), the others anywhere in the day, to the millisecond.
    occurredAt: new Date(i === 0 ? dayStart : dayStart + r.int(0, 86_399_999)),
  }));
  rows[1]!.storeCode = 'ATLANTIS';
  rows[2]!.cardNumber = 'LC0000042';
  rows[3]!.reason = 'gift';
  const good = rows.slice(4).concat(rows[0]!);
  const outside = [
    { ...rows[5]!, id: 10, occurredAt: new Date(dayStart - 1) },
    { ...rows[6]!, id: 5000, occurredAt: new Date(dayStart + 86_400_000) },
  ];
  return {
    rows: [...rows, ...outside],
    good,
    pointsSum: good.reduce((s, g) => s + g.pointsDelta, 0),
    cards: new Set(good.map((g) => g.cardNumber)).size,
  };
}

type LedgerRow = ReturnType<typeof dayRows>['good'][number];

/** A valid transaction of `at` (a POS syncing late inserts it with the id it was given). */
const txn = (id: number, at: number, cardNumber: string, pointsDelta: number): LedgerRow => ({
  id,
  cardNumber,
  storeCode: 'EMERALD',
  pointsDelta,
  reason: 'purchase',
  occurredAt: new Date(at),
});

describe('loyalty from the store DB', () => {
  let t: TemporalHarness;
  let dbs: FreshDatabases;
  let store: DbHandle<StoreDb>;
  let prefix: string;
  let activities: Record<string, unknown>;
  let exportActivities: ReturnType<typeof createLoyaltyExportActivities>;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loyalty-export-it-'));
  const data = dayRows();
  /** Every valid row of the days this file exports: what the balances must add up to, card by card. */
  const ledger: LedgerRow[] = [...data.good];

  beforeAll(async () => {
    t = await temporalHarness('loyalty-export');
    dbs = await freshDatabases();
    store = createStoreDb(dbs.store);
    prefix = await freshTables(deps.dynamo, 'lex');
    await store.db.insert(stores).values([
      { code: 'EMERALD', name: 'Emerald City' },
      { code: 'SUNSET', name: 'Sunset Crest' },
    ]);
    await store.db.insert(loyaltyTransactions).values(data.rows);
    const storeCodes = async () => (await store.db.select({ code: stores.code }).from(stores)).map((s) => s.code);
    // Small pages, so the export walks many keyset pages.
    exportActivities = createLoyaltyExportActivities({
      store: store.db,
      s3: deps.s3,
      buckets: config.aws.buckets,
      pageSize: 100,
    });
    activities = {
      ...createLoyaltyActivities({
        s3: deps.s3,
        dynamo: deps.dynamo,
        buckets: config.aws.buckets,
        tablePrefix: prefix,
        storeCodes,
      }),
      ...exportActivities,
    };
  });
  afterAll(async () => {
    fs.rmSync(tmp, { recursive: true, force: true });
    await t?.close();
    await store?.close();
    await dbs?.drop();
    await deps.close();
  });

  const run = (args: Parameters<typeof loyaltyStoreExport>[0], id: string) =>
    t.client.workflow.execute(loyaltyStoreExport, {
      taskQueue: t.queue('data'),
      workflowId: `loyalty-store-export/${id}`,
      args: [args],
    });
  const exportDay = async (d: string, suffix: string) => {
    const { days } = await run({ day: d }, `${d}/${suffix}`);
    expect(days.map((x) => x.day)).toEqual([d]);
    return days[0]!;
  };
  const withWorkers = <T>(fn: () => Promise<T>) => t.withWorkers({ data: activities }, fn);
  const insertLate = async (...rows: LedgerRow[]) => {
    await store.db.insert(loyaltyTransactions).values(rows);
    ledger.push(...rows);
  };
  const balances = async () =>
    Object.fromEntries(
      (await scanAll(deps.dynamo, prefix, 'loyaltyBalances')).map((b) => [b.cardNumber!.S!, Number(b.balance!.N)]),
    );
  const ledgerBalances = () => {
    const want: Record<string, number> = {};
    for (const row of ledger) want[row.cardNumber] = (want[row.cardNumber] ?? 0) + row.pointsDelta;
    return want;
  };
  const incomingExists = (key: string) =>
    deps.s3.send(new HeadObjectCommand({ Bucket: config.aws.buckets.archive, Key: key })).then(
      () => true,
      () => false,
    );
  const getText = async (bucket: string, key: string) =>
    (await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  const manifest = async (d: string) =>
    JSON.parse(await getText(config.aws.buckets.lake, loyaltyStoreExportManifestKey(d))) as LoyaltyExportManifest;
  const csvIds = (csv: string) =>
    csv
      .split('\n')
      .filter(Boolean)
      .slice(1)
      .map((l) => Number(l.split(',')[0]));

  it('exports a day to incoming/, converts it to Parquet, quarantine and balances; a re-export finds nothing new', async () => {
    const { first, second, empty } = await withWorkers(async () => ({
      first: await exportDay(day, 'first'),
      second: await exportDay(day, 'second'),
      empty: await exportDay('2001-02-03', 'empty'),
    }));

    expect(first).toMatchObject({ day, rows: DAY_ROWS, outcome: 'exported', part: 1 });
    const conversion = first.conversion!;
    expect(conversion.file.key).toBe(`incoming/loyalty/store-db-${day}.csv`);
    expect(first.conversionWorkflowId).toBe(loyaltyConvertWorkflowId(conversion.file.key, conversion.file.etag));
    expect(conversion).toMatchObject({ read: DAY_ROWS, converted: DAY_ROWS - 3, quarantined: 3 });
    expect(conversion.pointsSum).toBe(data.pointsSum);
    expect(conversion.parquetKeys).toEqual([
      `loyalty/points/month=${day.slice(0, 7)}/${conversion.file.fileId}.parquet`,
    ]);

    // The exported bytes: the loyalty header, rows in id order, UTC timestamps with Z.
    const csv = await getText(config.aws.buckets.archive, conversion.archiveKey!);
    const lines = csv.split('\n').filter(Boolean);
    expect(lines[0]).toBe('transaction_id,card_number,store_code,points_delta,reason,occurred_at');
    expect(lines).toHaveLength(DAY_ROWS + 1);
    const ids = csvIds(csv);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).not.toContain(10);
    expect(ids).not.toContain(5000);
    expect(lines.slice(1).every((l) => /,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(l))).toBe(true);
    expect(csv).toContain(`${new Date(dayStart).toISOString()}\n`);

    // The manifest: one part, its ids as ranges (the gap at 1500 splits them).
    expect(await manifest(day)).toEqual({
      day,
      parts: [
        {
          key: conversion.file.key,
          etag: conversion.file.etag,
          rows: DAY_ROWS,
          ids: [
            [1000, 1499],
            [1501, 2200],
          ],
        },
      ],
    });

    // The lake read back.
    const local = path.join(tmp, 'points.parquet');
    const obj = await deps.s3.send(
      new GetObjectCommand({ Bucket: config.aws.buckets.lake, Key: conversion.parquetKeys[0]! }),
    );
    fs.writeFileSync(local, await obj.Body!.transformToByteArray());
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const [back] = (
      await c.runAndReadAll(`SELECT count(*) AS n, sum(points_delta) AS s FROM read_parquet('${local}')`)
    ).getRowObjectsJson();
    c.closeSync();
    db.closeSync();
    expect(back).toEqual({ n: String(DAY_ROWS - 3), s: String(data.pointsSum) });

    const quarantine = await getText(config.aws.buckets.quarantine, conversion.quarantineKey!);
    expect(quarantine.trim().split('\n')).toHaveLength(4);
    for (const bad of ['ATLANTIS', 'LC0000042', 'gift']) expect(quarantine).toContain(bad);

    expect(conversion.balances).toEqual({ cards: data.cards, applied: data.cards });
    expect(await balances()).toEqual(ledgerBalances());

    // Same rows again: nothing new, so nothing is written or converted, and the balances stay as they were.
    expect(second).toEqual({ day, rows: 0, outcome: 'up-to-date' });
    expect(await balances()).toEqual(ledgerBalances());
    expect(await incomingExists(loyaltyStoreExportKey(day, 2))).toBe(false);
    expect((await manifest(day)).parts).toHaveLength(1);

    expect(empty).toEqual({ day: '2001-02-03', rows: 0, outcome: 'empty' });
  });

  it('late rows of a converted day (one filling an id gap) go out as part 2 alone; nothing is counted twice', async () => {
    const card = String(600_000_000_000 + 7);
    await insertLate(txn(1500, dayStart + 3_600_000, card, 5), txn(6000, dayStart + 7_200_000, '600000000999', 40));
    const { late, again } = await withWorkers(async () => ({
      late: await exportDay(day, 'late'),
      again: await exportDay(day, 'late-again'),
    }));

    expect(late).toMatchObject({ day, rows: 2, outcome: 'exported', part: 2 });
    const conversion = late.conversion!;
    expect(conversion.file.key).toBe(`incoming/loyalty/store-db-${day}-part-2.csv`);
    expect(conversion).toMatchObject({ read: 2, converted: 2, quarantined: 0, pointsSum: 45 });
    expect(csvIds(await getText(config.aws.buckets.archive, conversion.archiveKey!))).toEqual([1500, 6000]);
    expect(await balances()).toEqual(ledgerBalances());

    const parts = (await manifest(day)).parts;
    expect(parts.map((p) => [p.key, p.etag, p.rows, p.ids])).toEqual([
      [
        loyaltyStoreExportKey(day),
        parts[0]!.etag,
        DAY_ROWS,
        [
          [1000, 1499],
          [1501, 2200],
        ],
      ],
      [
        conversion.file.key,
        conversion.file.etag,
        2,
        [
          [1500, 1500],
          [6000, 6000],
        ],
      ],
    ]);

    expect(again).toEqual({ day, rows: 0, outcome: 'up-to-date' });
    expect(await balances()).toEqual(ledgerBalances());
  });

  it('a retried export gives the same part: after a crash before the upload, and before the conversion started', async () => {
    await insertLate(txn(6001, dayStart + 60_000, '600000000998', 9), txn(999, dayStart + 120_000, '600000000998', 3));
    // The activity alone, as if its workflow died right after it returned: part 3 recorded, in incoming/, unconverted.
    const env = new MockActivityEnvironment();
    const exportOnce = () => env.run(exportActivities.exportLoyaltyDay, day) as Promise<LoyaltyDayExport>;
    const first = await exportOnce();
    if (first.outcome !== 'exported') throw new Error(`expected a part, got ${first.outcome}`);
    expect(first).toMatchObject({ rows: 2, part: 3 });
    expect(first.file.key).toBe(loyaltyStoreExportKey(day, 3));

    // Recorded but still in incoming/: handed back, not `up-to-date`.
    const pending = await exportOnce();
    expect(pending).toEqual(first);

    // As if the first attempt had died after claiming the ids, before the upload: regenerated byte for byte.
    const claimed = await manifest(day);
    claimed.parts[2]!.etag = null;
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: config.aws.buckets.lake,
        Key: loyaltyStoreExportManifestKey(day),
        Body: JSON.stringify(claimed),
      }),
    );
    await deps.s3.send(new DeleteObjectCommand({ Bucket: config.aws.buckets.archive, Key: first.file.key }));
    const regenerated = await exportOnce();
    expect(regenerated).toMatchObject({ rows: 2, part: 3, file: { key: first.file.key, etag: first.file.etag } });
    expect((await manifest(day)).parts[2]!.etag).toBe(first.file.etag);

    // The next run converts that part, once.
    const { resumed, after } = await withWorkers(async () => ({
      resumed: await exportDay(day, 'resumed'),
      after: await exportDay(day, 'resumed-after'),
    }));
    expect(resumed).toMatchObject({
      outcome: 'exported',
      rows: 2,
      part: 3,
      conversionWorkflowId: loyaltyConvertWorkflowId(first.file.key, first.file.etag),
      conversion: { read: 2, converted: 2, pointsSum: 12 },
    });
    expect(after).toEqual({ day, rows: 0, outcome: 'up-to-date' });
    expect(await balances()).toEqual(ledgerBalances());
    expect(await incomingExists(first.file.key)).toBe(false);
  });

  it('with no day, exports each of the last lookbackDays UTC days before the run started, oldest first', async () => {
    const utcDay = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const noonOf = (d: string) => Date.parse(`${d}T12:00:00.000Z`);
    const recent = [4, 3, 2, 1, 0].map(utcDay);
    // One row on each of the last five days (today included), on cards of their own.
    let id = 100_000;
    const rows = recent.map((d, i) => txn(id++, noonOf(d), `60000000090${i}`, 10 + i));
    await insertLate(...rows.filter((_, i) => i > 0 && i < 4));
    await store.db.insert(loyaltyTransactions).values([rows[0]!, rows[4]!]);

    const { daily, later, wider } = await withWorkers(async () => {
      const daily = await run({}, `lookback-${Date.now()}`);
      // A late row of the day before yesterday: the next daily run picks it up.
      const late = txn(id++, noonOf(recent[2]!) + 1, '600000000902', 100);
      await insertLate(late);
      const later = await run({}, `lookback-later-${Date.now()}`);
      ledger.push(rows[0]!);
      const wider = await run({ lookbackDays: 5 }, `lookback-wider-${Date.now()}`);
      return { daily, later, wider };
    });

    expect(daily.days.map((d) => [d.day, d.outcome, d.rows, d.part])).toEqual([
      [recent[1], 'exported', 1, 1],
      [recent[2], 'exported', 1, 1],
      [recent[3], 'exported', 1, 1],
    ]);
    expect(daily.days.map((d) => d.conversion?.pointsSum)).toEqual([11, 12, 13]);
    expect(later.days.map((d) => [d.day, d.outcome, d.rows, d.part])).toEqual([
      [recent[1], 'up-to-date', 0, undefined],
      [recent[2], 'exported', 1, 2],
      [recent[3], 'up-to-date', 0, undefined],
    ]);
    expect(later.days[1]!.conversion).toMatchObject({ read: 1, pointsSum: 100 });
    // Wider: the day before the default window is exported too; today (not over yet) never is.
    expect(wider.days.map((d) => [d.day, d.outcome])).toEqual([
      [utcDay(5), 'empty'],
      [recent[0], 'exported'],
      [recent[1], 'up-to-date'],
      [recent[2], 'up-to-date'],
      [recent[3], 'up-to-date'],
    ]);
    expect(await balances()).toEqual(ledgerBalances());
  });

  it('leaves a day alone while another export of it runs (one manifest writer per day)', async () => {
    const busyDay = '2001-04-05';
    // Another export of that day, stuck (no worker polls its queue): it holds the day's id.
    const other = await t.client.workflow.start(loyaltyStoreExportDay, {
      taskQueue: `${t.queue('data')}-nobody`,
      workflowId: loyaltyStoreExportDayId(busyDay),
      args: [{ day: busyDay }],
    });
    try {
      const result = await withWorkers(() => run({ day: busyDay }, `${busyDay}/busy`));
      expect(result.days).toEqual([{ day: busyDay, outcome: 'busy', rows: 0 }]);
    } finally {
      await other.terminate('test over');
    }
    // Once it is gone, the day exports as usual (nothing there: empty).
    const after = await withWorkers(() => run({ day: busyDay }, `${busyDay}/after`));
    expect(after.days).toEqual([{ day: busyDay, outcome: 'empty', rows: 0 }]);
  });
});
