import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncomingFileActivities } from '../../../activities/platform/incoming-files';
import { customersImportWorkflowId } from '../../../domain/platform/file-workflows';
import { customersImport, customersImportProgress } from '../../../workflows';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { startChildWorker } from '../../support/child-worker';
import { freshTables, scanAll, uploadCustomersCsv } from '../../support/customers/customers-fixture';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const config = loadConfig();
const deps = createDeps(config);
const ROWS = 12_000;

describe('customers import survives a killed worker', () => {
  let t: TemporalHarness;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let tablePrefix: string;
  const queuePrefix = `cust-kill-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await temporalHarness('customers-resume');
    tablePrefix = await freshTables(deps.dynamo, 'custkill');
    dbs = await freshDatabases();
    const store = await mysql.createConnection(dbs.store);
    await store.query(
      "INSERT INTO stores (code, name) VALUES ('EMERALD','Emerald City'),('C','Carlton'),('SUNSET','Sunset Crest'),('OISTINS','Oistins')",
    );
    await store.end();
  });
  afterAll(async () => {
    await dbs?.drop();
    await t?.close();
    await deps.close();
  });

  it('finishes the file with no duplicate and no missing profile after kill -9 mid-slice, twice', async () => {
    const env = { STORE_DATABASE_URL: dbs.store, DYNAMODB_TABLE_PREFIX: tablePrefix };
    const { key, expect: want } = await uploadCustomersCsv(
      deps.s3,
      config.aws.buckets.archive,
      `${queuePrefix}/big.csv`,
      {
        rows: ROWS,
        seed: 11,
      },
    );
    const file = await createIncomingFileActivities({
      s3: deps.s3,
      archiveBucket: config.aws.buckets.archive,
    }).describeIncomingFile('customers', key);
    let worker = await startChildWorker(queuePrefix, env);
    const handle = await t.client.workflow.start(customersImport, {
      taskQueue: `${queuePrefix}.data`,
      workflowId: customersImportWorkflowId(key, file.etag),
      // 6 s, not 2: a chunk's 250 conditional writes to DynamoDB Local can take over 2 s on a loaded machine, and each
      // missed heartbeat then restarted the slice from its checkpoint (at load 11-17 the test timed out after 180 s).
      args: [{ file, sliceRows: 4000, chunkRows: 250, heartbeatTimeoutSeconds: 6 }],
    });

    // Kill only once the running slice has heartbeated a checkpoint past its start: a genuine mid-slice crash. The
    // second kill waits for a checkpoint past the first kill's: until the retry runs, the pending activity still shows
    // the killed attempt's last heartbeat (CI, 2026-12-02: both kills at row 250, the second of a worker that had
    // not started the retry yet). A retry that started the slice over instead of resuming never gets past it in time.
    let killedRow = 0;
    const killMidSlice = async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const d = await handle.describe();
        const details = d.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
        const checkpoint = details && defaultPayloadConverter.fromPayload<{ cursor: { rowNumber: number } }>(details);
        if (checkpoint && checkpoint.cursor.rowNumber % 4000 !== 0 && checkpoint.cursor.rowNumber > killedRow) {
          await worker.kill();
          killedRow = checkpoint.cursor.rowNumber;
          return killedRow;
        }
        if (Date.now() > deadline) throw new Error('no mid-slice checkpoint seen');
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    const killedAt = [await killMidSlice()];
    worker = await startChildWorker(queuePrefix, env);
    await new Promise((r) => setTimeout(r, 3000));
    killedAt.push(await killMidSlice());
    worker = await startChildWorker(queuePrefix, env);
    try {
      const result = await handle.result();
      expect(killedAt[1]).toBeGreaterThan(killedAt[0]!);
      expect(result.counts).toMatchObject({ read: ROWS, quarantined: want.bad, imported: want.distinctCustomers });
      expect(
        result.counts.imported + result.counts.updated + result.counts.skippedOlder + result.counts.quarantined,
      ).toBe(ROWS);
      expect(await handle.query(customersImportProgress)).toMatchObject({ phase: 'done', read: ROWS });

      const items = await scanAll(deps.dynamo, tablePrefix, 'customers');
      expect(items).toHaveLength(want.distinctCustomers);
      expect(new Set(items.map((i) => i.customerId!.S)).size).toBe(want.distinctCustomers);
      // Retried slices really ran again: the history shows more than one attempt.
      const history = await handle.fetchHistory();
      const retried = history.events!.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
      expect(retried).toBe(true);
    } finally {
      await worker.kill();
    }
  }, 300_000);
});
