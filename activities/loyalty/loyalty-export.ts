import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { and, asc, gt, gte, lt, lte } from 'drizzle-orm';
import type { StoreDb } from '../../db/client';
import { loyaltyTransactions as t } from '../../db/store/schema';
import { parseCalendarDate } from '../../domain/platform/dates';
import { appendId, containsId, mergeRanges, type IdRanges } from '../../domain/platform/id-ranges';
import { LOYALTY_COLUMNS } from '../../domain/loyalty/loyalty';
import { csvLine } from '../../lake/csv-text';
import { loyaltyStoreExportKey, loyaltyStoreExportManifestKey } from '../../lake/layout';
import { uploadFile } from '../../lake/s3';
import { createIncomingFileActivities, type IncomingFile } from '../platform/incoming-files';

/**
 * One CSV line, LF-terminated as the in-store exports are: DuckDB's rejects of a CRLF file carry the line break into
 * the next rejected line's raw text, which would make the quarantine file harder to read.
 */
const line = (fields: readonly (string | number)[]) => `${csvLine(fields).slice(0, -2)}\n`;

/** Upload part size: most days go up in one PUT (64 MiB ≈ a million rows); memory holds one part at a time. */
const PART_SIZE = 64 * 1024 * 1024;

/** One exported file of a day: its rows' ids, and its ETag once S3 has it (null: recorded, upload not confirmed). */
export interface LoyaltyExportPart {
  key: string;
  etag: string | null;
  rows: number;
  ids: IdRanges;
}

/** `loyalty/store-exports/<day>.json`: the parts of one day exported so far, oldest first. */
export interface LoyaltyExportManifest {
  day: string;
  parts: LoyaltyExportPart[];
}

export interface LoyaltyExportDeps {
  store: StoreDb;
  s3: S3Client;
  buckets: { archive: string; lake: string };
  /** Rows per keyset page: the most the export holds in memory at once. */
  pageSize?: number;
  workDir?: string;
}

/** What exporting one day found: no rows, no rows not exported before, or a part in incoming/ to convert. */
export type LoyaltyDayExport =
  | { outcome: 'empty' | 'up-to-date'; day: string; rows: 0 }
  | { outcome: 'exported'; day: string; rows: number; part: number; file: IncomingFile };

/**
 * Store DB → loyalty export CSVs in incoming/loyalty/, for the file pipeline to convert.
 *
 * loyalty_transactions is an append-only ledger: a row, once written, never changes and is never deleted; a POS
 * that syncs late only adds rows (to any day, with any id). So a day is exported as parts, each holding the rows no
 * earlier part has, and the manifest's ids are what tells "exported" from "new".
 */
export function createLoyaltyExportActivities(deps: LoyaltyExportDeps) {
  const pageSize = deps.pageSize ?? 5000;
  const files = createIncomingFileActivities({ s3: deps.s3, archiveBucket: deps.buckets.archive });
  const manifestKey = loyaltyStoreExportManifestKey;

  /** One UTC day of loyalty_transactions in id order within `[fromId, toId]`, a page at a time (keyset on the id). */
  async function* dayPages(day: string, fromId = 0, toId = Number.MAX_SAFE_INTEGER) {
    const from = new Date(`${day}T00:00:00.000Z`);
    const to = new Date(from.getTime() + 86_400_000);
    let after = fromId - 1;
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
        .where(and(gte(t.occurredAt, from), lt(t.occurredAt, to), gt(t.id, after), lte(t.id, toId)))
        .orderBy(asc(t.id))
        .limit(pageSize);
      if (page.length) yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }

  /**
   * Writes the header and the day's rows that `take` selects to `csvPath`, in id order with fixed formatting (ISO UTC
   * with milliseconds and Z): the same rows always give the same bytes, so the same ETag and the same conversion
   * workflow id. Returns their count and ids.
   */
  async function writePartCsv(
    day: string,
    csvPath: string,
    take: (id: number) => boolean,
    bounds: [number, number] = [0, Number.MAX_SAFE_INTEGER],
  ): Promise<{ rows: number; ids: IdRanges }> {
    const out = fs.createWriteStream(csvPath);
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain');
    };
    const ids: IdRanges = [];
    let rows = 0;
    try {
      await write(line(LOYALTY_COLUMNS));
      for await (const page of dayPages(day, ...bounds)) {
        const taken = page.filter((r) => take(r.id));
        for (const r of taken) appendId(ids, r.id);
        rows += taken.length;
        await write(
          taken
            .map((r) => line([r.id, r.cardNumber, r.storeCode, r.pointsDelta, r.reason, r.occurredAt.toISOString()]))
            .join(''),
        );
      }
      out.end();
      await finished(out);
    } catch (err) {
      out.destroy();
      throw err;
    }
    return { rows, ids };
  }

  async function readManifest(day: string): Promise<LoyaltyExportManifest> {
    try {
      const got = await deps.s3.send(new GetObjectCommand({ Bucket: deps.buckets.lake, Key: manifestKey(day) }));
      return JSON.parse(await got.Body!.transformToString()) as LoyaltyExportManifest;
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return { day, parts: [] };
      throw err;
    }
  }

  /** Overwrites the whole manifest: writing the same content again (a retry) changes nothing. */
  async function writeManifest(manifest: LoyaltyExportManifest): Promise<void> {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.buckets.lake,
        Key: manifestKey(manifest.day),
        Body: JSON.stringify(manifest),
        ContentType: 'application/json',
      }),
    );
  }

  /** Uploads the part's CSV to incoming/ (unless an earlier attempt did) and records the ETag S3 gives it. */
  async function uploadPart(manifest: LoyaltyExportManifest, part: LoyaltyExportPart, csvPath: string) {
    // An attempt that crashed after its upload left the same bytes there (same ids, and ledger rows never change).
    let file = await files.findIncomingFile('loyalty', part.key);
    if (!file) {
      await uploadFile(deps.s3, { Bucket: deps.buckets.archive, Key: part.key, ContentType: 'text/csv' }, csvPath, {
        partSize: PART_SIZE,
        queueSize: 1,
      });
      file = await files.describeIncomingFile('loyalty', part.key);
    }
    part.etag = file.etag;
    await writeManifest(manifest);
    return file;
  }

  return {
    /**
     * Exports the rows of one UTC day of the store DB's loyalty transactions that no earlier part of that day holds,
     * as the day's next part in incoming/loyalty/, and returns it for conversion. Safe to retry at any point:
     * - the part's ids are recorded in the manifest before its file is uploaded, so a retry writes exactly those rows
     *   again (same bytes, same key, same ETag, same `loyalty-convert/<key>@<etag>` run) and no row lands in two parts;
     * - a recorded part still in incoming/ (its conversion not finished, or never started because the caller died
     *   after the manifest write) is returned again rather than `up-to-date`; no new part is written until it is
     *   converted, so only the last part can be pending.
     * The file goes through worker-local disk (bounded memory at any day size: one page of rows, ids as ranges).
     */
    async exportLoyaltyDay(day: string): Promise<LoyaltyDayExport> {
      if (parseCalendarDate(day) !== day)
        throw ApplicationFailure.nonRetryable(`not a calendar day: ${day}`, 'InvalidDay');
      const manifest = await readManifest(day);
      const last = manifest.parts[manifest.parts.length - 1];
      const exported = (part: LoyaltyExportPart, file: IncomingFile): LoyaltyDayExport => ({
        outcome: 'exported',
        day,
        rows: part.rows,
        part: manifest.parts.indexOf(part) + 1,
        file,
      });
      if (last?.etag) {
        const pending = await files.findIncomingFile('loyalty', last.key);
        if (pending?.etag === last.etag) return exported(last, pending);
      }

      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 2000);
      const work = fs.mkdtempSync(path.join(deps.workDir ?? os.tmpdir(), 'loyalty-export-'));
      try {
        const csvPath = path.join(work, 'part.csv');
        if (last && !last.etag) {
          // Recorded, upload not confirmed: the same ids again (read only their id span).
          const bounds: [number, number] = [last.ids[0]![0], last.ids[last.ids.length - 1]![1]];
          const again = await writePartCsv(day, csvPath, (id) => containsId(last.ids, id), bounds);
          if (again.rows !== last.rows)
            throw ApplicationFailure.nonRetryable(
              `${day}: ${last.key} recorded ${last.rows} rows, the store DB now has ${again.rows} of its ids in that ` +
                `day; loyalty_transactions must be append-only (rows never updated or deleted)`,
              'LoyaltyLedgerChanged',
            );
          return exported(last, await uploadPart(manifest, last, csvPath));
        }

        const done = mergeRanges(...manifest.parts.map((p) => p.ids));
        const fresh = await writePartCsv(day, csvPath, (id) => !containsId(done, id));
        if (fresh.rows === 0) return { outcome: manifest.parts.length ? 'up-to-date' : 'empty', day, rows: 0 };
        const part: LoyaltyExportPart = {
          key: loyaltyStoreExportKey(day, manifest.parts.length + 1),
          etag: null,
          rows: fresh.rows,
          ids: fresh.ids,
        };
        manifest.parts.push(part);
        // Claim the ids before the upload: from here on they belong to this part, whatever happens next.
        await writeManifest(manifest);
        return exported(part, await uploadPart(manifest, part, csvPath));
      } finally {
        clearInterval(beat);
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  };
}
