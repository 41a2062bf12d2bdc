import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CardContribution, LoyaltyCounts } from '../../domain/loyalty/loyalty';
import { tableName } from '../../lake/dynamo-tables';
import { loyaltyContributionsKey, loyaltyPartitionKey, quarantinePartKey } from '../../lake/layout';
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
}

export interface LoyaltyConversion extends LoyaltyCounts {
  parquetKeys: string[];
  quarantineKey: string | null;
  contributionsKey: string;
  cards: number;
  pointsSum: number;
}

export function createLoyaltyActivities(deps: LoyaltyDeps) {
  const applyBalance = createBalanceWriter(deps.dynamo, tableName(deps.tablePrefix, 'loyaltyBalances'));
  const upload = (Bucket: string, Key: string, file: string, ContentType: string) =>
    uploadFile(deps.s3, { Bucket, Key, ContentType }, file);

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
        await pipeline(object.Body as Readable, fs.createWriteStream(csvPath));
        const result = await convertLoyaltyCsv({
          csvPath,
          outDir: path.join(work, 'out'),
          storeCodes: await deps.storeCodes(),
          memoryLimit: deps.memoryLimit,
          compression: deps.compression,
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
          quarantineKey = quarantinePartKey('loyalty', file.day, file.fileName, 1);
          await upload(deps.buckets.quarantine, quarantineKey, result.rejectsPath, 'text/csv');
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
