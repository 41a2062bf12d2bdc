import { randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomersActivities } from '../../../activities/customers/customers';
import { createProfileWriter } from '../../../activities/customers/customers-writes';
import { tableName } from '../../../lake/dynamo-tables';
import { countsBalance } from '../../../domain/customers/import-counts';
import { customersImportWorkflowId } from '../../../domain/platform/file-workflows';
import { customersImport, customersImportProgress } from '../../../workflows';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { freshTables, scanAll, uploadCustomersCsv, uploadIncoming } from '../../support/customers/customers-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const config = loadConfig();
const deps = createDeps(config);
const STORES = ['EMERALD', 'C', 'SUNSET', 'OISTINS'];

describe('customers import', () => {
  let t: TemporalHarness;
  let prefix: string;
  let activities: ReturnType<typeof createCustomersActivities>;
  const run = randomUUID().slice(0, 8);
  const bucket = config.aws.buckets.archive;

  beforeAll(async () => {
    t = await temporalHarness('customers');
    prefix = await freshTables(deps.dynamo, 'cust');
    activities = createCustomersActivities({
      s3: deps.s3,
      dynamo: deps.dynamo,
      buckets: config.aws.buckets,
      tablePrefix: prefix,
      storeCodes: async () => STORES,
    });
  });
  afterAll(async () => {
    await t?.close();
    await deps.close();
  });

  const importFile = async (key: string, extra: { sliceRows?: number; chunkRows?: number } = {}) => {
    const file = await activities.describeIncomingFile('customers', key);
    const workflowId = customersImportWorkflowId(key, file.etag);
    return t.withWorkers({ data: activities }, async () => {
      const result = await t.client.workflow.execute(customersImport, {
        taskQueue: t.queue('data'),
        workflowId,
        args: [{ file, ...extra }],
      });
      // Queried while a worker still polls: a closed workflow's query needs one.
      const progress = await t.client.workflow.getHandle(workflowId).query(customersImportProgress);
      return { result, workflowId, file, progress };
    });
  };

  it('imports a generated export: bad rows quarantined with row number and reason, counts balance, file archived', async () => {
    const { key, expect: want } = await uploadCustomersCsv(deps.s3, bucket, `${run}/a.csv`, { rows: 3000, seed: 1 });
    const { result, workflowId, file, progress } = await importFile(key, { sliceRows: 1000, chunkRows: 250 });

    expect(result.counts).toMatchObject({ read: 3000, quarantined: want.bad, imported: want.distinctCustomers });
    expect(result.counts.updated + result.counts.skippedOlder).toBe(3000 - want.bad - want.distinctCustomers);
    expect(countsBalance(result.counts)).toBe(true);

    const items = await scanAll(deps.dynamo, prefix, 'customers');
    expect(items).toHaveLength(want.distinctCustomers);
    const sample = items.find((i) => i.phone?.S)!;
    expect(sample.phone!.S).toMatch(/^\+1\d{10}$/);
    expect(sample.updatedAt!.S).toMatch(/Z$/);

    // Bad rows: every one is in a quarantine part, with its row number and a reason.
    const parts = await deps.s3.send(
      new ListObjectsV2Command({
        Bucket: config.aws.buckets.quarantine,
        Prefix: `quarantine/customers/dt=${file.day}/${file.fileName}@${file.etag}/`,
      }),
    );
    let quarantined = 0;
    for (const part of parts.Contents ?? []) {
      const text = await (
        await deps.s3.send(new GetObjectCommand({ Bucket: config.aws.buckets.quarantine, Key: part.Key! }))
      ).Body!.transformToString();
      const lines = text.trim().split('\r\n');
      expect(lines[0]).toMatch(/^row_number,reason,/);
      for (const line of lines.slice(1)) expect(line).toMatch(/^\d+,"?[a-z_ ]+/);
      quarantined += lines.length - 1;
    }
    expect(quarantined).toBe(want.bad);

    // Archived byte for byte, and gone from incoming.
    await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: result.archiveKey! }));
    expect(result.archiveKey).toBe(`archive/customers/dt=${file.day}/${file.fileName}@${file.etag}`);
    await expect(deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toThrow();

    const d = await t.client.workflow.getHandle(workflowId).describe();
    expect(d.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['Pipeline', 'customers-import'],
        ['SyncStatus', 'Completed'],
      ]),
    );
    expect(progress).toMatchObject({ ...result.counts, phase: 'done', offset: file.size });
  });

  it('never lets an older row overwrite a newer profile, across files and within one', async () => {
    const header = 'loyalty_card,customer_id,updated_at,email\r\n';
    const newer = `${header}700000000001,X${run}1,2024-06-01T00:00:00Z,new@example.com\r\n`;
    const mixed =
      header +
      `700000000001,X${run}1,2024-01-01T00:00:00Z,old@example.com\r\n` + // older than stored: skipped
      `700000000002,X${run}2,2024-03-01 08:00,first@example.com\r\n` + // Barbados local time, no offset
      `700000000002,X${run}2,2024-02-01T00:00:00Z,older-in-file@example.com\r\n`; // older duplicate in file
    const first = await importFile(await uploadIncoming(deps.s3, bucket, 'customers', `${run}/newer.csv`, newer));
    expect(first.result.counts).toMatchObject({ read: 1, imported: 1 });
    const second = await importFile(await uploadIncoming(deps.s3, bucket, 'customers', `${run}/mixed.csv`, mixed));
    expect(second.result.counts).toEqual({ read: 3, imported: 1, updated: 0, skippedOlder: 2, quarantined: 0 });

    const items = await scanAll(deps.dynamo, prefix, 'customers');
    const byId = new Map(items.map((i) => [i.customerId!.S, i]));
    expect(byId.get(`X${run}1`)!.email!.S).toBe('new@example.com');
    expect(byId.get(`X${run}2`)!.email!.S).toBe('first@example.com');
    expect(byId.get(`X${run}2`)!.updatedAt!.S).toBe('2024-03-01T12:00:00.000Z');
  });

  it('rejects a file whose header lacks a required column, without touching DynamoDB', async () => {
    const key = await uploadIncoming(
      deps.s3,
      bucket,
      'customers',
      `${run}/noheader.csv`,
      'customer_id,email\r\nZ1,a@b.co\r\n',
    );
    const { result } = await importFile(key);
    // Rejected as a whole (moved to rejected/ with its reason), so no later scan runs it again.
    expect(result.rejected).toMatchObject({
      type: 'InvalidFileHeader',
      reason: expect.stringContaining('loyalty_card'),
    });
    expect(result.archiveKey).toBeNull();
    await expect(deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toThrow();
    const items = await scanAll(deps.dynamo, prefix, 'customers');
    expect(items.some((i) => i.customerId!.S === 'Z1')).toBe(false);
  });

  it('keeps the newest profile when two imports write the same customers at the same time', async () => {
    const table = tableName(prefix, 'customers');
    const rows = (stamp: string, tag: string) =>
      Array.from({ length: 300 }, (_, i) => ({
        profile: {
          customerId: `R${run}-${i}`,
          loyaltyCard: `7100000${String(i).padStart(5, '0')}`,
          updatedAt: stamp,
          email: `${tag}@x.co`,
        },
        sourceRef: `${tag}#${i}`,
      }));
    const older = createProfileWriter(deps.dynamo, table, 3);
    const newer = createProfileWriter(deps.dynamo, table, 3);
    const [a, b] = await Promise.all([
      older(rows('2024-01-01T00:00:00.000Z', 'old')),
      newer(rows('2024-06-01T00:00:00.000Z', 'new')),
    ]);
    const items = (await scanAll(deps.dynamo, prefix, 'customers')).filter((i) =>
      i.customerId!.S!.startsWith(`R${run}-`),
    );
    expect(items).toHaveLength(300);
    expect(items.every((i) => i.email!.S === 'new@x.co')).toBe(true);
    // Per customer: exactly one of the two inserted it; the older write was either replaced or skipped.
    for (let i = 0; i < 300; i++) expect([a[i], b[i]].filter((o) => o === 'imported')).toHaveLength(1);
    expect(b.every((o) => o !== 'skippedOlder')).toBe(true);
  });
});
