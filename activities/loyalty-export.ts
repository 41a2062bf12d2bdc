import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { and, asc, gt, gte, lt } from 'drizzle-orm';
import type { StoreDb } from '../db/client';
import { loyaltyTransactions as t } from '../db/store/schema';
import { parseCalendarDate } from '../domain/dates';
import { LOYALTY_COLUMNS } from '../domain/loyalty';
import { csvLine } from '../lake/csv-text';
import { fileId, fileNameOf, loyaltyContributionsPrefix, loyaltyStoreExportKey } from '../lake/layout';
import { createIncomingFileActivities, type IncomingFile } from './customers-files';

/**
 * One CSV line, LF-terminated as the in-store exports are: DuckDB's rejects of a CRLF file carry the line break into
 * the next rejected line's raw text, which would make the quarantine file harder to read.
 */
const line = (fields: readonly (string | number)[]) => `${csvLine(fields).slice(0, -2)}\n`;

/** Upload part size: most days go up in one PUT (64 MiB ≈ a million rows); memory holds one part at a time. */
const PART_SIZE = 64 * 1024 * 1024;

/**
 * The ETag S3 gives an object uploaded in `partSize` parts: the MD5 of the bytes for a single PUT, else the MD5 of
 * the parts' MD5s and `-<parts>`. Known before the upload, it tells whether this exact version was converted before.
 */
export function s3Etag(partSize: number) {
  const parts: Buffer[] = [];
  const whole = crypto.createHash('md5');
  let part = crypto.createHash('md5');
  let inPart = 0;
  let size = 0;
  return {
    update(bytes: Buffer) {
      whole.update(bytes);
      size += bytes.length;
      for (let at = 0; at < bytes.length;) {
        // lib-storage starts a new part only once more than partSize bytes are buffered: a part is full at partSize.
        if (inPart === partSize) {
          parts.push(part.digest());
          part = crypto.createHash('md5');
          inPart = 0;
        }
        const take = Math.min(partSize - inPart, bytes.length - at);
        part.update(bytes.subarray(at, at + take));
        inPart += take;
        at += take;
      }
    },
    digest(): string {
      if (size <= partSize) return whole.digest('hex');
      const all = [...parts, part.digest()];
      return `${crypto.createHash('md5').update(Buffer.concat(all)).digest('hex')}-${all.length}`;
    },
  };
}

export interface LoyaltyExportDeps {
  store: StoreDb;
  s3: S3Client;
  buckets: { archive: string; lake: string };
  /** Rows per keyset page: the most the export holds in memory at once. */
  pageSize?: number;
  workDir?: string;
}

/** What exporting one day found: nothing, a version already converted, or a file in incoming/ to convert. */
export type LoyaltyDayExport =
  | { outcome: 'empty'; day: string; rows: 0 }
  | { outcome: 'already-converted'; day: string; rows: number; key: string; etag: string }
  | { outcome: 'exported'; day: string; rows: number; file: IncomingFile };

/** Store DB → loyalty export CSV in incoming/loyalty/, for the file pipeline to convert. */
export function createLoyaltyExportActivities(deps: LoyaltyExportDeps) {
  const pageSize = deps.pageSize ?? 5000;
  const files = createIncomingFileActivities({ s3: deps.s3, archiveBucket: deps.buckets.archive });

  /** One UTC day of loyalty_transactions in id order, a page at a time (keyset on the primary key). */
  async function* dayPages(day: string) {
    const from = new Date(`${day}T00:00:00.000Z`);
    const to = new Date(from.getTime() + 86_400_000);
    let after = 0;
    for (;;) {
      const page = await deps.store
        .select({
          id: t.id,
          cardNumber: t.cardNumber,
          storeCode: t.storeCode,
          pointsDelta: t.pointsDelta,
          reason: t.reason,
          occurredAt: t.occurredAt,
        })
        .from(t)
        .where(and(gte(t.occurredAt, from), lt(t.occurredAt, to), gt(t.id, after)))
        .orderBy(asc(t.id))
        .limit(pageSize);
      if (page.length) yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }

  /** Writes the day's CSV to `csvPath`; returns its row count and the ETag S3 will give it (see `s3Etag`). */
  async function writeDayCsv(day: string, csvPath: string): Promise<{ rows: number; etag: string }> {
    const out = fs.createWriteStream(csvPath);
    const etag = s3Etag(PART_SIZE);
    const write = async (text: string) => {
      const bytes = Buffer.from(text);
      etag.update(bytes);
      if (!out.write(bytes)) await once(out, 'drain');
    };
    let rows = 0;
    try {
      await write(line(LOYALTY_COLUMNS));
      for await (const page of dayPages(day)) {
        // Fixed formatting (ISO UTC with milliseconds and Z): the same rows always give the same bytes, so the same
        // ETag and the same conversion workflow id.
        await write(
          page
            .map((r) => line([r.id, r.cardNumber, r.storeCode, r.pointsDelta, r.reason, r.occurredAt.toISOString()]))
            .join(''),
        );
        rows += page.length;
      }
      out.end();
      await finished(out);
    } catch (err) {
      out.destroy();
      throw err;
    }
    return { rows, etag: etag.digest() };
  }

  /** ETags of the versions of `key` whose conversion got as far as the per-card totals (read from the lake). */
  async function convertedVersions(key: string): Promise<string[]> {
    const prefix = `${loyaltyContributionsPrefix}${fileId(fileNameOf(key, 'loyalty'), '')}`;
    const etags: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await deps.s3.send(
        new ListObjectsV2Command({ Bucket: deps.buckets.lake, Prefix: prefix, ContinuationToken }),
      );
      for (const o of page.Contents ?? []) etags.push(o.Key!.slice(prefix.length).replace(/\.ndjson$/, ''));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return etags;
  }

  return {
    /**
     * Exports one UTC day of the store DB's loyalty transactions as a loyalty CSV to `incoming/loyalty/`. The file
     * goes through worker-local disk first (bounded memory at any day size) so its hash is known before S3 is
     * touched: a version already converted is not written again, and a day whose rows changed after it was
     * converted is refused, because converting the new version would count the unchanged rows twice in the balances.
     */
    async exportLoyaltyDay(day: string): Promise<LoyaltyDayExport> {
      if (parseCalendarDate(day) !== day)
        throw ApplicationFailure.nonRetryable(`not a calendar day: ${day}`, 'InvalidDay');
      const key = loyaltyStoreExportKey(day);
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 2000);
      const work = fs.mkdtempSync(path.join(deps.workDir ?? os.tmpdir(), 'loyalty-export-'));
      try {
        const csvPath = path.join(work, 'export.csv');
        const { rows, etag } = await writeDayCsv(day, csvPath);
        if (rows === 0) return { outcome: 'empty', day, rows: 0 };
        const earlier = await convertedVersions(key);
        if (earlier.includes(etag)) {
          // Converted before; if that version is still in incoming/ its run has not finished, so hand it back.
          const pending = await files.findIncomingFile('loyalty', key);
          if (pending?.etag === etag) return { outcome: 'exported', day, rows, file: pending };
          return { outcome: 'already-converted', day, rows, key, etag };
        }
        if (earlier.length)
          throw ApplicationFailure.nonRetryable(
            `${day}: loyalty_transactions changed after version(s) ${earlier.join(', ')} of ${key} were converted; ` +
              `converting the new version (${etag}) would add the unchanged rows to the balances a second time ` +
              `(if the bucket encrypts with SSE-KMS, ETags are not MD5s and every re-export looks changed)`,
            'LoyaltyDayChanged',
          );
        // lib-storage, as the conversion uploads: buffered parts, no streaming signature (which SeaweedFS refuses).
        await new Upload({
          client: deps.s3,
          params: {
            Bucket: deps.buckets.archive,
            Key: key,
            Body: fs.createReadStream(csvPath),
            ContentType: 'text/csv',
          },
          partSize: PART_SIZE,
          queueSize: 1,
        }).done();
        // S3 ETags are MD5s only without SSE-KMS/SSE-C; with those the file is still converted under its real ETag,
        // but an unchanged re-export then looks changed (and is refused, never counted twice).
        const file = await files.describeIncomingFile('loyalty', key);
        if (file.etag !== etag) log.warn(`${key}: S3 gave ETag ${file.etag}, not the MD5 ${etag}`);
        return { outcome: 'exported', day, rows, file };
      } finally {
        clearInterval(beat);
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
