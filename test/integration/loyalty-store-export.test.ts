import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoyaltyActivities } from '../../activities/loyalty';
import { createLoyaltyExportActivities } from '../../activities/loyalty-export';
import { createStoreDb, type DbHandle, type StoreDb } from '../../db/client';
import { rng } from '../../db/seed/random';
import { loyaltyTransactions, stores } from '../../db/store/schema';
import { loyaltyConvertWorkflowId } from '../../domain/file-workflows';
import { loyaltyStoreExportKey } from '../../lake/layout';
import { loyaltyStoreExport } from '../../workflows';
import { loadConfig } from '../../workers/config';
import { createDeps } from '../../workers/deps';
import { freshDatabases, type FreshDatabases } from '../support/db';
import { freshTables, scanAll } from '../support/customers-fixture';
import { temporalHarness, type TemporalHarness } from '../support/temporal';

const config = loadConfig();
const deps = createDeps(config);
const DAY_ROWS = 1200;
const r = rng(61);
// A day of this file's own (the incoming key is per day), far from any other test's data.
const day = `20${40 + r.int(0, 59)}-0${r.int(1, 9)}-${r.int(10, 28)}`;
const dayStart = Date.parse(`${day}T00:00:00.000Z`);

/** The day's rows with ids out of time order, three bad ones, and neighbours just outside the day. */
function dayRows() {
  const ids = Array.from({ length: DAY_ROWS }, (_, i) => 1000 + i).sort(() => r.next() - 0.5);
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
    pointsSum: good.reduce((s, g) => s + g.pointsDelta, 0),
    cards: new Set(good.map((g) => g.cardNumber)).size,
  };
}

describe('loyalty from the store DB', () => {
  let t: TemporalHarness;
  let dbs: FreshDatabases;
  let store: DbHandle<StoreDb>;
  let prefix: string;
  let activities: Record<string, unknown>;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loyalty-export-it-'));
  const data = dayRows();

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
    activities = {
      ...createLoyaltyActivities({
        s3: deps.s3,
        dynamo: deps.dynamo,
        buckets: config.aws.buckets,
        tablePrefix: prefix,
        storeCodes,
      }),
      // Small pages, so the export walks many keyset pages.
      ...createLoyaltyExportActivities({ store: store.db, s3: deps.s3, buckets: config.aws.buckets, pageSize: 100 }),
    };
  });
  afterAll(async () => {
    fs.rmSync(tmp, { recursive: true, force: true });
    await t?.close();
    await store?.close();
    await dbs?.drop();
    await deps.close();
  });

  const exportDay = (d: string, suffix: string) =>
    t.client.workflow.execute(loyaltyStoreExport, {
      taskQueue: t.queue('data'),
      workflowId: `loyalty-store-export/${d}/${suffix}`,
      args: [{ day: d }],
    });
  const balanceSum = async () =>
    (await scanAll(deps.dynamo, prefix, 'loyaltyBalances')).reduce((s, b) => s + Number(b.balance!.N), 0);
  const incomingExists = () =>
    deps.s3.send(new HeadObjectCommand({ Bucket: config.aws.buckets.archive, Key: loyaltyStoreExportKey(day) })).then(
      () => true,
      () => false,
    );

  it('exports a day to incoming/, converts it to Parquet, quarantine and balances; an unchanged re-export is not converted again', async () => {
    const { first, second, empty } = await t.withWorkers({ data: activities }, async () => ({
      first: await exportDay(day, 'first'),
      second: await exportDay(day, 'second'),
      empty: await exportDay('2001-02-03', 'empty'),
    }));

    expect(first).toMatchObject({ day, rows: DAY_ROWS, outcome: 'exported' });
    const conversion = first.conversion!;
    expect(conversion.file.key).toBe(`incoming/loyalty/store-db-${day}.csv`);
    expect(first.conversionWorkflowId).toBe(loyaltyConvertWorkflowId(conversion.file.key, conversion.file.etag));
    expect(conversion).toMatchObject({ read: DAY_ROWS, converted: DAY_ROWS - 3, quarantined: 3 });
    expect(conversion.pointsSum).toBe(data.pointsSum);
    expect(conversion.parquetKeys).toEqual([
      `loyalty/points/month=${day.slice(0, 7)}/${conversion.file.fileId}.parquet`,
    ]);

    // The exported bytes: the loyalty header, rows in id order, UTC timestamps with Z.
    const csv = await (
      await deps.s3.send(new GetObjectCommand({ Bucket: config.aws.buckets.archive, Key: conversion.archiveKey! }))
    ).Body!.transformToString();
    const lines = csv.split('\n').filter(Boolean);
    expect(lines[0]).toBe('transaction_id,card_number,store_code,points_delta,reason,occurred_at');
    expect(lines).toHaveLength(DAY_ROWS + 1);
    const ids = lines.slice(1).map((l) => Number(l.split(',')[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids).not.toContain(10);
    expect(ids).not.toContain(5000);
    expect(lines.slice(1).every((l) => /,\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(l))).toBe(true);
    expect(csv).toContain(`${new Date(dayStart).toISOString()}\n`);

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

    const quarantine = await (
      await deps.s3.send(
        new GetObjectCommand({ Bucket: config.aws.buckets.quarantine, Key: conversion.quarantineKey! }),
      )
    ).Body!.transformToString();
    expect(quarantine.trim().split('\n')).toHaveLength(4);
    for (const bad of ['ATLANTIS', 'LC0000042', 'gift']) expect(quarantine).toContain(bad);

    expect(conversion.balances).toEqual({ cards: data.cards, applied: data.cards });
    expect(await balanceSum()).toBe(data.pointsSum);

    // Same rows again: same bytes, so nothing is written or converted, and the balances stay as they were.
    expect(second).toEqual({
      day,
      rows: DAY_ROWS,
      outcome: 'already-converted',
      conversionWorkflowId: first.conversionWorkflowId,
    });
    expect(await balanceSum()).toBe(data.pointsSum);
    expect(await incomingExists()).toBe(false);

    expect(empty).toEqual({ day: '2001-02-03', rows: 0, outcome: 'empty' });
  });

  it('refuses to convert a day whose rows changed after it was converted (it would count them twice)', async () => {
    await store.db.insert(loyaltyTransactions).values({
      id: 900,
      cardNumber: '600000000001',
      storeCode: 'EMERALD',
      pointsDelta: 5,
      reason: 'purchase',
      occurredAt: new Date(dayStart + 3_600_000),
    });
    const failure = await t
      .withWorkers({ data: activities }, () => exportDay(day, 'changed'))
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(((failure as WorkflowFailedError).cause?.cause as ApplicationFailure).type).toBe('LoyaltyDayChanged');
    expect(await incomingExists()).toBe(false);
    expect(await balanceSum()).toBe(data.pointsSum);
  });
});
