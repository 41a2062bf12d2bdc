import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOYALTY_COLUMNS, type CardContribution, type LoyaltyCounts } from '../../domain/loyalty/loyalty';
import { tableName } from '../../lake/dynamo-tables';
import {
  loyaltyContributionsKey,
  loyaltyPartitionKey,
  loyaltyPointsPrefix,
  quarantinePartKey,
} from '../../lake/layout';
import type { SourceEncoding } from '../../lake/source-encoding';
import { markInvalidUtf8Lines, Utf8Check } from '../../lake/utf8-lines';
import { uploadFile } from '../../lake/s3';
import { convertLoyaltyCsv, type ParquetCompression } from '../../lake/loyalty-parquet';
import { createIncomingFileActivities, type IncomingFile } from '../platform/incoming-files';
import { createBalanceWriter } from './loyalty-balances';

export interface LoyaltyDeps {
  s3: S3Client;
  dynamo: DynamoDBClient;
  buckets: { archive: string; quarantine: string; lake: string };
  tablePrefix: string;
  storeCodes(): Promise<string[]>;
  /** DuckDB's memory ceiling (it spills beyond it). */
  memoryLimit?: string;
  compression?: ParquetCompression;
  workDir?: string;
  balanceConcurrency?: number;
  /** The encoding loyalty exports are written in (`LOYALTY_ENCODING`); UTF-8 by default. */
  encoding?: SourceEncoding;
}

/**
 * The header of a loyalty CSV (its first line, BOM dropped), or a non-retryable failure saying why the file cannot be
 * used: empty, or a header without every required column (binary data lands here too).
 */
async function readHeader(csvPath: string): Promise<string[]> {
  const fd = await fs.promises.open(csvPath, 'r');
  let head: string;
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    if (bytesRead === 0) throw ApplicationFailure.nonRetryable('the file is empty', 'EmptyFile');
    head = buf.subarray(0, bytesRead).toString('latin1');
  } finally {
    await fd.close();
  }
  const line = head.replace(/^\xEF\xBB\xBF/, '').split(/\r?\n/)[0]!;
  const cells = line.split(',').map((c) =>
    c
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase(),
  );
  const missing = LOYALTY_COLUMNS.filter((c) => !cells.includes(c));
  if (missing.length) {
    const shown = /^[\x20-\x7e]*$/.test(line) ? line.slice(0, 200) : '(not text)';
    throw ApplicationFailure.nonRetryable(`header lacks ${missing.join(', ')}: ${shown}`, 'InvalidFileHeader');
  }
  return cells;
}

export interface LoyaltyConversion extends LoyaltyCounts {
  parquetKeys: string[];
  quarantineKey: string | null;
  /** Null when nothing converted (the file is then rejected). */
  contributionsKey: string | null;
  cards: number;
  pointsSum: number;
}

export function createLoyaltyActivities(deps: LoyaltyDeps) {
  const applyBalance = createBalanceWriter(deps.dynamo, tableName(deps.tablePrefix, 'loyaltyBalances'));
  const upload = (Bucket: string, Key: string, file: string, ContentType: string) =>
    uploadFile(deps.s3, { Bucket, Key, ContentType }, file);

  /**
   * The Parquet other files wrote for `months`, downloaded to `dir`, for the duplicate check. This file's own earlier
   * output (a retry or re-run of the same version) is left out, so a re-run converts the same rows again.
   */
  async function downloadOtherFiles(months: string[], ownFileId: string, dir: string): Promise<string[]> {
    fs.mkdirSync(dir, { recursive: true });
    const out: string[] = [];
    for (const month of months) {
      const own = loyaltyPartitionKey(month, ownFileId);
      let ContinuationToken: string | undefined;
      do {
        const page = await deps.s3.send(
          new ListObjectsV2Command({
            Bucket: deps.buckets.lake,
            Prefix: `${loyaltyPointsPrefix}month=${month}/`,
            ContinuationToken,
          }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key?.endsWith('.parquet') || o.Key === own) continue;
          const local = path.join(dir, `${out.length}.parquet`);
          const body = await deps.s3.send(new GetObjectCommand({ Bucket: deps.buckets.lake, Key: o.Key }));
          await pipeline(body.Body as Readable, fs.createWriteStream(local));
          out.push(local);
        }
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
    }
    return out;
  }

  return {
    ...createIncomingFileActivities({ s3: deps.s3, archiveBucket: deps.buckets.archive }),

    /**
     * Converts one loyalty CSV to Parquet in the lake. Every output key is derived from the file id, so a retry or a
     * re-run overwrites the same objects with the same bytes instead of adding new ones.
     */
    async convertLoyaltyFile(file: IncomingFile): Promise<LoyaltyConversion> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat('converting'), 2000);
      const work = fs.mkdtempSync(path.join(deps.workDir ?? os.tmpdir(), 'loyalty-'));
      try {
        const csvPath = path.join(work, 'input.csv');
        const object = await deps.s3
          .send(new GetObjectCommand({ Bucket: file.bucket, Key: file.key, IfMatch: `"${file.etag}"` }))
          .catch((err: { name?: string }) => {
            if (err.name === 'PreconditionFailed')
              throw ApplicationFailure.nonRetryable(`${file.key} changed since it was listed`, 'FileChanged');
            throw err;
          });
        const check = new Utf8Check();
        await pipeline(object.Body as Readable, check, fs.createWriteStream(path.join(work, 'download.csv')));
        // Checked on the way in (no second read when, as usual, it is all valid); bad lines become rejectable rows.
        if ((deps.encoding ?? 'utf-8') === 'utf-8' && !check.valid)
          await markInvalidUtf8Lines(path.join(work, 'download.csv'), csvPath);
        else fs.renameSync(path.join(work, 'download.csv'), csvPath);
        const header = await readHeader(csvPath);
        const priorDir = path.join(work, 'prior');
        const result = await convertLoyaltyCsv({
          csvPath,
          outDir: path.join(work, 'out'),
          storeCodes: await deps.storeCodes(),
          memoryLimit: deps.memoryLimit,
          compression: deps.compression,
          encoding: deps.encoding,
          header,
          priorParquet: (months) => downloadOtherFiles(months, file.fileId, priorDir),
        });
        const parquetKeys: string[] = [];
        for (const m of result.months) {
          if (m.files.length !== 1) throw new Error(`expected one Parquet file for ${m.month}, got ${m.files.length}`);
          const key = loyaltyPartitionKey(m.month, file.fileId);
          await upload(deps.buckets.lake, key, m.files[0]!, 'application/vnd.apache.parquet');
          parquetKeys.push(key);
          ctx.heartbeat('uploading');
        }
        let quarantineKey: string | null = null;
        if (result.rejectsPath) {
          quarantineKey = quarantinePartKey('loyalty', file, 1);
          await upload(deps.buckets.quarantine, quarantineKey, result.rejectsPath, 'text/csv');
        }
        if (result.converted === 0) {
          const reason =
            result.quarantined === 0
              ? 'no data rows (a header only)'
              : `no usable rows: all ${result.quarantined} rows quarantined`;
          const seen = { read: result.read, quarantined: result.quarantined, quarantineKey };
          throw ApplicationFailure.create({
            message: reason,
            type: 'NoUsableRows',
            nonRetryable: true,
            details: [seen],
          });
        }
        const contributionsKey = loyaltyContributionsKey(file.fileId);
        await upload(deps.buckets.lake, contributionsKey, result.contributionsPath, 'application/x-ndjson');
        const { read, converted, quarantined, cards, pointsSum } = result;
        return { read, converted, quarantined, cards, pointsSum, parquetKeys, quarantineKey, contributionsKey };
      } finally {
        clearInterval(beat);
        fs.rmSync(work, { recursive: true, force: true });
      }
    },

    /** Adds the file's per-card totals to the balances table; resumes from its heartbeat, idempotent per card. */
    async applyLoyaltyBalances(
      file: IncomingFile,
      contributionsKey: string,
    ): Promise<{ cards: number; applied: number }> {
      const ctx = Context.current();
      const resumeAt = (ctx.info.heartbeatDetails as number | undefined) ?? 0;
      const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.buckets.lake, Key: contributionsKey }));
      const lines = readline.createInterface({ input: object.Body as Readable, crlfDelay: Infinity });
      let index = 0;
      let applied = 0;
      let batch: Promise<string>[] = [];
      const flush = async () => {
        applied += (await Promise.all(batch)).filter((o) => o === 'applied').length;
        batch = [];
        ctx.heartbeat(index);
      };
      for await (const line of lines) {
        if (!line.trim()) continue;
        if (index++ < resumeAt) continue;
        batch.push(applyBalance(file.fileId, JSON.parse(line) as CardContribution));
        if (batch.length >= (deps.balanceConcurrency ?? 32)) await flush();
      }
      await flush();
      return { cards: index, applied };
    },
  };
}
