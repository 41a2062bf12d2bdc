import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Readable } from 'node:stream';
import {
  missingCustomerColumns,
  normalizeHeader,
  validateCustomerRow,
  type CustomerProfile,
} from '../../domain/customers/customers';
import { newestPerCustomer, type NumberedProfile } from '../../domain/customers/customers-dedupe';
import { addCounts, ZERO_COUNTS, type ImportCounts } from '../../domain/customers/import-counts';
import { readCsvChunks, UndecodableHeaderError, type CsvCursor, type CsvRow } from '../../lake/csv-chunks';
import type { SourceEncoding } from '../../lake/source-encoding';
import { csvLine } from '../../lake/csv-text';
import { tableName } from '../../lake/dynamo-tables';
import { quarantinePartKey } from '../../lake/layout';
import { createProfileWriter } from './customers-writes';
import { createIncomingFileActivities, type IncomingFile } from '../platform/incoming-files';

export interface CustomersDeps {
  s3: S3Client;
  dynamo: DynamoDBClient;
  buckets: { archive: string; quarantine: string };
  tablePrefix: string;
  /** The store codes a `home_store` may name (the store system's `stores` table). */
  storeCodes(): Promise<string[]>;
  /** 100-row write transactions in flight per slice (4 measured best on DynamoDB Local with 2 cores). */
  writeConcurrency?: number;
  /** The encoding the customer exports are written in (`CUSTOMERS_ENCODING`); UTF-8 by default. */
  encoding?: SourceEncoding;
}

/**
 * A row longer than this is quarantined: far above any real profile, and well below DynamoDB's 400 KB item limit,
 * which would otherwise reject the whole 100-row write transaction (and every retry of it) for one row.
 */
export const MAX_CUSTOMER_ROW_BYTES = 64 * 1024;

export interface ImportSliceInput {
  file: IncomingFile;
  cursor: CsvCursor;
  counts: ImportCounts;
  /** The slice returns after this many rows (or `maxMillis`), so the workflow records progress between slices. */
  maxRows: number;
  maxMillis?: number;
  chunkRows?: number;
}

export interface ImportSliceResult {
  cursor: CsvCursor;
  counts: ImportCounts;
  done: boolean;
}

/** Heartbeat details: the last chunk boundary whose rows are all written, and the counts up to it. */
type Checkpoint = { cursor: CsvCursor; counts: ImportCounts };

export function createCustomersActivities(deps: CustomersDeps) {
  const table = tableName(deps.tablePrefix, 'customers');
  const writeAll = createProfileWriter(deps.dynamo, table, deps.writeConcurrency ?? 4);

  async function quarantine(file: IncomingFile, header: string[], firstRow: number, bad: QuarantinedRow[]) {
    if (!bad.length) return;
    const lines = [csvLine(['row_number', 'reason', ...header])];
    for (const b of bad) lines.push(csvLine([b.rowNumber, b.reason, ...(b.fields ?? [])]));
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.buckets.quarantine,
        Key: quarantinePartKey('customers', file, firstRow),
        Body: lines.join(''),
        ContentType: 'text/csv',
      }),
    );
  }

  return {
    ...createIncomingFileActivities({ s3: deps.s3, archiveBucket: deps.buckets.archive }),

    /**
     * Imports rows from `cursor` on: validate, dedupe, conditional writes, quarantine. Heartbeats a checkpoint after
     * every chunk; a retry after a crash resumes from the last one (re-applying at most one chunk, idempotently).
     */
    async importCustomersSlice(input: ImportSliceInput): Promise<ImportSliceResult> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as Checkpoint | undefined;
      let { cursor, counts } = resumed ?? { cursor: input.cursor, counts: input.counts };
      const stopAt = Date.now() + (input.maxMillis ?? 60_000);
      const stores = new Set((await deps.storeCodes()).map((c) => c.toUpperCase()));
      if (input.file.size === 0) throw ApplicationFailure.nonRetryable('the file is empty', 'EmptyFile');
      if (cursor.offset >= input.file.size) return { cursor, counts, done: true };

      const object = await deps.s3
        .send(
          new GetObjectCommand({
            Bucket: input.file.bucket,
            Key: input.file.key,
            IfMatch: `"${input.file.etag}"`,
            Range: cursor.offset > 0 ? `bytes=${cursor.offset}-` : undefined,
          }),
        )
        .catch((err: { name?: string }) => {
          if (err.name === 'PreconditionFailed')
            throw ApplicationFailure.nonRetryable(`${input.file.key} changed since it was listed`, 'FileChanged');
          throw err;
        });
      const body = object.Body as Readable;
      let rowsThisSlice = 0;
      let done = true;
      try {
        const chunks = readCsvChunks(body, cursor, input.chunkRows ?? 2500, { encoding: deps.encoding });
        for await (const chunk of chunks) {
          const missing = missingCustomerColumns(chunk.header);
          if (missing.length)
            throw ApplicationFailure.nonRetryable(`header lacks ${missing.join(', ')}`, 'InvalidFileHeader');
          const chunkCounts = await importChunk(input.file, chunk.header, chunk.rows, stores);
          counts = addCounts(counts, chunkCounts);
          cursor = chunk.end;
          ctx.heartbeat({ cursor, counts } satisfies Checkpoint);
          rowsThisSlice += chunk.rows.length;
          if (rowsThisSlice >= input.maxRows || Date.now() >= stopAt) {
            done = cursor.offset >= input.file.size;
            break;
          }
        }
      } catch (err) {
        if (err instanceof UndecodableHeaderError)
          throw ApplicationFailure.nonRetryable(err.message, 'InvalidFileHeader');
        throw err;
      } finally {
        body.destroy();
      }
      if (done) cursor = { ...cursor, offset: input.file.size };
      return { cursor, counts, done };
    },
  };

  async function importChunk(file: IncomingFile, rawHeader: string[], rows: CsvRow[], stores: Set<string>) {
    const header = rawHeader.map(normalizeHeader);
    const bad: QuarantinedRow[] = [];
    const good: NumberedProfile<CustomerProfile>[] = [];
    for (const row of rows) {
      if (!row.fields || row.error) {
        bad.push({ rowNumber: row.rowNumber, reason: row.error ?? 'unparseable row', fields: row.fields });
        continue;
      }
      const bytes = row.fields.reduce((n, f) => n + Buffer.byteLength(f), 0);
      if (bytes > MAX_CUSTOMER_ROW_BYTES) {
        // Only the start of each field: the quarantine copy says what the row was without repeating the megabyte.
        const reason = `row too large: ${bytes} bytes (limit ${MAX_CUSTOMER_ROW_BYTES})`;
        bad.push({ rowNumber: row.rowNumber, reason, fields: row.fields.map((f) => f.slice(0, 200)) });
        continue;
      }
      if (row.fields.length !== header.length) {
        const reason = `expected ${header.length} fields, got ${row.fields.length}`;
        bad.push({ rowNumber: row.rowNumber, reason, fields: row.fields });
        continue;
      }
      const record = Object.fromEntries(header.map((h, i) => [h, row.fields![i]]));
      const result = validateCustomerRow(record, { storeCodes: stores });
      if (result.ok) good.push({ rowNumber: row.rowNumber, profile: result.profile });
      else bad.push({ rowNumber: row.rowNumber, reason: result.reason, fields: row.fields });
    }
    const { winners, superseded } = newestPerCustomer(good);
    const [outcomes] = await Promise.all([
      writeAll(winners.map((w) => ({ profile: w.profile, sourceRef: `${file.fileId}#${w.rowNumber}` }))),
      quarantine(file, rawHeader, rows[0]!.rowNumber, bad),
    ]);
    const counts: ImportCounts = {
      ...ZERO_COUNTS,
      read: rows.length,
      quarantined: bad.length,
      skippedOlder: superseded.length,
    };
    for (const o of outcomes) counts[o]++;
    return counts;
  }
}

interface QuarantinedRow {
  rowNumber: number;
  reason: string;
  fields?: string[];
}
