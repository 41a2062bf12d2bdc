import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomersActivities } from '../../../activities/customers/customers';
import { createLoyaltyActivities } from '../../../activities/loyalty/loyalty';
import { createWorkflowStatusActivities } from '../../../activities/platform/workflow-status';
import { loyaltyConvertWorkflowId } from '../../../domain/platform/file-workflows';
import { loyaltyCsv, type LoyaltyCsvExpectation } from '../../../lake/demo/loyalty-csv';
import { loyaltyConvert, scanIncomingFiles, type LoyaltyConvertResult } from '../../../workflows';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { freshTables, scanAll, uploadCustomersCsv, uploadIncoming } from '../../support/customers/customers-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const config = loadConfig();
const deps = createDeps(config);
const STORES = ['EMERALD', 'C', 'SUNSET', 'OISTINS'];
const ROWS = 20_000;

describe('loyalty conversion and the incoming/ scan', () => {
  let t: TemporalHarness;
  let prefix: string;
  let activities: Record<string, unknown>;
  const run = `loyalty-${randomUUID().slice(0, 8)}`;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loyalty-it-'));

  beforeAll(async () => {
    t = await temporalHarness('loyalty');
    prefix = await freshTables(deps.dynamo, 'loy');
    const shared = {
      s3: deps.s3,
      dynamo: deps.dynamo,
      buckets: config.aws.buckets,
      tablePrefix: prefix,
      storeCodes: async () => STORES,
    };
    activities = {
      ...createCustomersActivities(shared),
      ...createLoyaltyActivities(shared),
      ...createWorkflowStatusActivities({ temporal: async () => t.client }),
    };
  });
  afterAll(async () => {
    fs.rmSync(tmp, { recursive: true, force: true });
    await t?.close();
    await deps.close();
  });

  it('scan starts one workflow per file; loyalty lands as month Parquet, balances equal the ledger; a re-run changes nothing', async () => {
    const want: Partial<LoyaltyCsvExpectation> = {};
    const body = [...loyaltyCsv({ rows: ROWS, seed: 21, cards: 500, badRate: 0.005 }, want)].join('');
    const key = await uploadIncoming(deps.s3, config.aws.buckets.archive, 'loyalty', `${run}/points.csv`, body);
    const people = await uploadCustomersCsv(deps.s3, config.aws.buckets.archive, `${run}/people.csv`, {
      rows: 200,
      seed: 4,
    });

    const { scan, results, rerun, rescan } = await t.withWorkers({ data: activities }, async () => {
      const scan = await t.client.workflow.execute(scanIncomingFiles, {
        taskQueue: t.queue('data'),
        workflowId: `scan-incoming/${run}`,
        args: [{ domains: ['customers', 'loyalty'], under: `${run}/` }],
      });
      const results = await Promise.all(scan.started.map((id) => t.client.workflow.getHandle(id).result()));
      const loyalty = results.find((r) => 'parquetKeys' in r) as LoyaltyConvertResult;
      // Re-run the same input (from its archived copy, same ETag so the same file id).
      const rerun = await t.client.workflow.execute(loyaltyConvert, {
        taskQueue: t.queue('data'),
        workflowId: `${loyaltyConvertWorkflowId(key, loyalty.file.etag)}/rerun`,
        args: [{ file: { ...loyalty.file, key: loyalty.archiveKey! }, keepSource: true }],
      });
      // The same customers export sent again once imported: archived by the next scan, not imported twice.
      await uploadIncoming(deps.s3, config.aws.buckets.archive, 'customers', `${run}/people.csv`, people.body);
      const rescan = await t.client.workflow.execute(scanIncomingFiles, {
        taskQueue: t.queue('data'),
        workflowId: `scan-incoming/${run}-again`,
        args: [{ domains: ['customers', 'loyalty'], under: `${run}/` }],
      });
      return { scan, results, rerun, rescan };
    });
    const customersRun = scan.started.find((id) => id.startsWith('customers-import/'))!;
    expect(rescan).toEqual({ started: [], skipped: [customersRun], resent: [customersRun] });
    await expect(
      deps.s3.send(new HeadObjectCommand({ Bucket: config.aws.buckets.archive, Key: people.key })),
    ).rejects.toThrow();
    expect(scan.started).toHaveLength(2);
    expect(scan.started.some((id) => id.startsWith(`customers-import/incoming/customers/${run}/people.csv@`))).toBe(
      true,
    );
    const loyalty = results.find((r) => 'parquetKeys' in r) as LoyaltyConvertResult;
    expect(loyalty).toMatchObject({
      read: ROWS,
      quarantined: want.bad,
      converted: ROWS - want.bad!,
      pointsSum: want.pointsSum,
    });
    expect(loyalty.parquetKeys).toEqual(
      ['2024-01', '2024-02', '2024-03'].map((m) => `loyalty/points/month=${m}/${loyalty.file.fileId}.parquet`),
    );

    // Read the lake back with DuckDB: rows and points add up.
    const files: string[] = [];
    for (const k of loyalty.parquetKeys) {
      const local = path.join(tmp, k.replace(/\//g, '_'));
      const obj = await deps.s3.send(new GetObjectCommand({ Bucket: config.aws.buckets.lake, Key: k }));
      fs.writeFileSync(local, await obj.Body!.transformToByteArray());
      files.push(local);
    }
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const [back] = (
      await c.runAndReadAll(
        `SELECT count(*) AS n, sum(points_delta) AS s FROM read_parquet([${files.map((f) => `'${f}'`).join(',')}])`,
      )
    ).getRowObjectsJson();
    c.closeSync();
    db.closeSync();
    expect(back).toEqual({ n: String(ROWS - want.bad!), s: String(want.pointsSum) });

    const balances = await scanAll(deps.dynamo, prefix, 'loyaltyBalances');
    expect(balances.length).toBe(loyalty.cards);
    expect(balances.reduce((sum, b) => sum + Number(b.balance!.N), 0)).toBe(want.pointsSum);
    expect(balances.every((b) => /^\d{4}-\d\d-\d\dT.*Z$/.test(b.lastActivityAt!.S!))).toBe(true);

    // Same input again: same objects (ETags), balances untouched.
    expect(rerun.balances).toEqual({ cards: loyalty.cards, applied: 0 });
    expect(rerun.parquetKeys).toEqual(loyalty.parquetKeys);
    const again = await scanAll(deps.dynamo, prefix, 'loyaltyBalances');
    expect(again.reduce((sum, b) => sum + Number(b.balance!.N), 0)).toBe(want.pointsSum);
    const quarantine = await deps.s3.send(
      new GetObjectCommand({ Bucket: config.aws.buckets.quarantine, Key: loyalty.quarantineKey! }),
    );
    const lines = (await quarantine.Body!.transformToString()).trim().split('\n');
    expect(lines).toHaveLength(want.bad! + 1);
    await expect(
      deps.s3.send(new HeadObjectCommand({ Bucket: config.aws.buckets.archive, Key: key })),
    ).rejects.toThrow();
  });
});
