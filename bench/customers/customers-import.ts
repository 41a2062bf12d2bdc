import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { Client, Connection } from '@temporalio/client';
import mysql from 'mysql2/promise';
import { createIncomingFileActivities } from '../../activities/platform/incoming-files';
import { countsBalance } from '../../domain/customers/import-counts';
import { customersImportWorkflowId } from '../../domain/platform/file-workflows';
import { customersCsv, type CustomersCsvExpectation } from '../../lake/demo/customers-csv';
import { tableName } from '../../lake/dynamo-tables';
import { incomingKey } from '../../lake/layout';
import { uploadFile } from '../../lake/s3';
import { startChildWorker } from '../../test/support/child-worker';
import { customersImport } from '../../workflows';
import { createDeps } from '../../workers/deps';
import { benchStack, peakRssMiB, writeResult } from '../support/env';

// Issue 6: a ROWS-row customer CSV (1 % bad rows, 2 % repeated customers) from S3 into DynamoDB Local and the
// archive, by the production workflow and a worker in its own process. Reports rows/s and the worker's peak RSS.
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const { stack, config } = await benchStack();
const deps = createDeps(config);
const store = await mysql.createConnection(config.databases.store);
await store.query(
  "INSERT IGNORE INTO stores (code, name) VALUES ('EMERALD','Emerald City'),('C','Carlton'),('SUNSET','Sunset Crest'),('OISTINS','Oistins')",
);
await store.end();

const csvPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-customers-')), 'customers.csv');
const want: Partial<CustomersCsvExpectation> = {};
await pipeline(Readable.from(customersCsv({ rows: ROWS, seed: 2026 }, want)), fs.createWriteStream(csvPath));
const key = incomingKey('customers', `bench/${randomUUID().slice(0, 8)}.csv`);
await uploadFile(deps.s3, { Bucket: config.aws.buckets.archive, Key: key, ContentType: 'text/csv' }, csvPath);
const file = await createIncomingFileActivities({
  s3: deps.s3,
  archiveBucket: config.aws.buckets.archive,
}).describeIncomingFile('customers', key);

const prefix = `bench-customers-${randomUUID().slice(0, 8)}`;
const worker = await startChildWorker(prefix, {});
const connection = await Connection.connect({ address: config.temporal.address });
const client = new Client({ connection });
const started = performance.now();
const result = await client.workflow.execute(customersImport, {
  taskQueue: `${prefix}.data`,
  workflowId: customersImportWorkflowId(key, file.etag),
  args: [{ file }],
});
const seconds = (performance.now() - started) / 1000;
const workerPeakRssMiB = peakRssMiB(worker.child.pid!);
await worker.kill();

// Paged: DynamoDB Local answered a full-page COUNT scan of 1M items with InternalFailure.
let items = 0;
let ExclusiveStartKey: Record<string, never> | undefined;
do {
  const page = await deps.dynamo.send(
    new ScanCommand({
      TableName: tableName(config.aws.tablePrefix, 'customers'),
      Select: 'COUNT',
      Limit: 20_000,
      ExclusiveStartKey,
    }),
  );
  items += page.Count ?? 0;
  ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
} while (ExclusiveStartKey);

writeResult('customers-import', {
  rows: ROWS,
  fileMiB: Math.round((file.size / 1048576) * 10) / 10,
  seconds: Math.round(seconds * 10) / 10,
  rowsPerSecond: Math.round(ROWS / seconds),
  workerPeakRssMiB,
  targetRssMiB: 512,
  counts: result.counts,
  countsBalance: countsBalance(result.counts),
  expected: want,
  badRowsAllQuarantined: result.counts.quarantined === want.bad,
  dynamoItems: items,
  dynamoItemsMatchDistinctCustomers: items === want.distinctCustomers,
  archived: result.archiveKey,
  writePath: 'consistent BatchGetItem + conditional TransactWriteItems of 100, 4 in flight per slice (DynamoDB Local)',
});
fs.rmSync(path.dirname(csvPath), { recursive: true, force: true });
await connection.close();
await deps.close();
await stack.stop();
