import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  checkIdentifier,
  checkSchema,
  META_COLUMNS,
  resolveSchemaVersion,
  utcDay,
  validateRow,
  type LakeColumn,
  type LakeSchema,
  type LakeTableSpec,
  type PartitionRule,
  type SchemaVersion,
} from '../domain/extraction/lake-schema';
import { writeDeadLetter, type DeadLetter } from './dead-letters';
import { manifestKey, rawPageKey } from './lake-layout';
import { processLakeLock, type LakeLock } from './lake-lock';
import { mergePartitions, type StagedFile } from './partition-merge';

/**
 * The lake writer: the one way rows get into the extraction lake (layout in lake-layout.ts).
 *
 * ```ts
 * const lake: Lake = { s3, bucket: config.aws.buckets.lake, quarantineBucket: config.aws.buckets.quarantine,
 *   lock: mysqlLakeLock(pool) };
 * const r = await writeLakeTable(lake, {
 *   source: 'lightspeed', entity: 'sales',
 *   columns: [{ name: 'sale_id', type: 'BIGINT', required: true }, { name: 'updated_at', type: 'TIMESTAMP',
 *     required: true }, { name: 'total', type: 'DECIMAL(18,2)' }, …],
 *   naturalKey: ['sale_id'], updatedAtField: 'updated_at',
 *   dt: { column: 'completed_at' },          // or { day: '2026-11-30' } for a snapshot of that day
 *   rows,                                     // plain objects as parsed from the source page
 *   raw: { pageId: 'shop-1/2026-11-30T10:00/p3', request: { url, params }, records: page.Sale },
 * });
 * // r.written, r.partitions, r.quarantined + r.deadLetter, r.schemaVersion, r.newUnknownFields
 * ```
 *
 * What it promises:
 *   - **Dedup by natural key.** A partition holds one row per key: the one with the newest `updatedAtField`
 *     (on a tie, the later write; within one call, the later row). Writing the same window again changes nothing.
 *     The key must always fall in the same partition: derive `dt` from something that never changes for a key
 *     (created/completed time), or use a fixed snapshot day whose key includes that day's meaning.
 *   - **Atomic partitions.** Each touched partition is merged (old file + new rows) locally in DuckDB and replaced
 *     by one PUT; the manifest is written last. A crash at any point leaves each partition old or new, and the
 *     rerun merges the same rows again to the same result: nothing lost or duplicated. (lake/partition-merge.ts)
 *   - **Bounded memory, few rewrites.** Validated rows are staged as NDJSON on local disk as they are checked (the
 *     writer keeps no copy of them); the merge works through the touched partitions in bounded chunks. Concurrent
 *     writes of one table in this process (four Lightspeed shops, four tables of one page) are merged together in
 *     one rewrite of each partition (group commit), each caller still getting its own result. For a stream too big
 *     for one call (a backfill), `openLakeTableWriter` stages page after page and commits when the caller says.
 *   - **Row-by-row validation.** A missing required field or an unreadable value quarantines that row into a
 *     dead letter (with the raw page's key), never the page or the run. Fields the schema does not name are kept as
 *     raw JSON in `_extra`; a field seen for the first time is recorded in the manifest and returned in
 *     `newUnknownFields` once (the caller reports it).
 *   - **Schema versions.** The manifest keeps the table's schema history (domain/extraction/lake-schema.ts): new
 *     optional columns keep the version; a breaking change (column removed or retyped, key changed) bumps it. Each
 *     row carries `_schema_version`; rewritten partitions take the current schema (old values TRY_CAST).
 *   - **Deletions.** A row with `_deleted: true` (key and updated_at only) is a tombstone that wins like any newer
 *     version; readers filter `NOT _deleted`.
 *   - **One writer per table at a time** through `lake.lock` (MariaDB GET_LOCK across workers).
 *   - Values: TIMESTAMP columns hold UTC; DECIMAL(18,2) money exact; every row gets `_extracted_at`.
 */
export interface Lake {
  s3: S3Client;
  bucket: string;
  quarantineBucket: string;
  lock?: LakeLock;
  /** Local work directory (default: the OS temp dir). */
  tmpDir?: string;
  /** Bounds of one merge step (lake/partition-merge.ts): rows and days per chunk, DuckDB's memory limit. */
  merge?: { chunkRows?: number; chunkDays?: number; memoryLimit?: string };
}

export type { LakeTableSpec, PartitionRule };

export interface WriteLakeTableInput extends LakeTableSpec {
  dt: PartitionRule;
  rows: Record<string, unknown>[];
  raw?: { pageId: string; request: unknown; records: unknown[] };
  now?: Date;
}

export interface WriteLakeTableResult {
  written: number;
  partitions: { dt: string; rows: number }[];
  quarantined: number;
  deadLetter?: string;
  rawKey?: string;
  schemaVersion: number;
  newUnknownFields: string[];
}

export interface LakeManifest {
  source: string;
  entity: string;
  schemaVersion: number;
  versions: SchemaVersion[];
  /** Each partition's size and the column set its file holds (a key of `columnSets`). */
  partitions: Record<
    string,
    { rows: number; bytes: number; schemaVersion: number; columnSet: string; writtenAt: string }
  >;
  /**
   * The column lists partition files were written with. Readers group partitions by it: one `read_parquet` per
   * set needs no `union_by_name` (which opens every file at bind time and so defeats partition pruning).
   */
  columnSets: Record<string, LakeColumn[]>;
  /** Fields the source sent that the schema does not name (kept in `_extra`), with when each was first seen. */
  unknownFields: Record<string, { firstSeen: string }>;
  updatedAt: string;
}

const defaultLock = processLakeLock();

/** A short stable id of a column list (names and types, in order). */
export const columnSetId = (columns: readonly LakeColumn[]) =>
  createHash('sha256')
    .update(columns.map((c) => `${c.name} ${c.type}`).join(','))
    .digest('hex')
    .slice(0, 12);

export async function readManifest(
  s3: S3Client,
  bucket: string,
  source: string,
  entity: string,
): Promise<LakeManifest | null> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(source, entity) }));
    return JSON.parse(await res.Body!.transformToString()) as LakeManifest;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

export async function writeRawPage(
  lake: Lake,
  source: string,
  entity: string,
  raw: { pageId: string; records: unknown[] },
  now = new Date(),
): Promise<string> {
  const key = rawPageKey(source, entity, now.toISOString().slice(0, 10), raw.pageId.replace(/[^A-Za-z0-9._=-]+/g, '_'));
  const body = raw.records.map((r) => JSON.stringify(r)).join('\n');
  await lake.s3.send(
    new PutObjectCommand({
      Bucket: lake.bucket,
      Key: key,
      // Off the event loop: a page of a few thousand lines compresses while the next page is fetched.
      Body: await gzipAsync(body ? `${body}\n` : ''),
      ContentType: 'application/x-ndjson',
      ContentEncoding: 'gzip',
    }),
  );
  return key;
}
const gzipAsync = promisify(gzip);

/** The row's partition day, or why it has none. */
function partitionOf(rule: PartitionRule, values: Record<string, unknown>): string | { problem: string } {
  if ('day' in rule) return rule.day;
  const v = values[rule.column];
  if (v === null || v === undefined) return { problem: `${rule.column}: partition column missing` };
  try {
    return utcDay(String(v));
  } catch {
    return { problem: `${rule.column}: not a timestamp` };
  }
}

export async function writeLakeTable(lake: Lake, input: WriteLakeTableInput): Promise<WriteLakeTableResult> {
  const writer = openLakeTableWriter(lake, input);
  try {
    const staged = await writer.add(input.rows, input.raw);
    const committed = await writer.commit();
    return { ...committed, rawKey: staged.rawKey };
  } finally {
    writer.close();
  }
}

/** What one `add` did: rows staged, rows refused (and where they went), the raw page's key. */
export interface StageResult {
  accepted: number;
  quarantined: number;
  deadLetter?: string;
  rawKey?: string;
}

/**
 * A writer of one table for a stream of pages: `add` validates and stages each page (raw page and row dead letters
 * are written at once), `commit` merges everything staged since the last commit into the lake (nothing is visible
 * before). Memory stays bounded whatever the stream's size: staged rows are on local disk. Call `close` at the end
 * (uncommitted rows are dropped, as a crash would drop them; the source is read again from the last commit).
 */
export interface LakeTableWriter {
  add(
    rows: Record<string, unknown>[],
    raw?: { pageId: string; request: unknown; records: unknown[] },
  ): Promise<StageResult>;
  /** Rows staged and not yet committed. */
  readonly stagedRows: number;
  /** Size of those rows as staged on local disk (NDJSON characters, ≈ bytes), buffered part included. */
  readonly stagedBytes: number;
  commit(): Promise<WriteLakeTableResult>;
  close(): void;
}

export function openLakeTableWriter(
  lake: Lake,
  spec: LakeTableSpec & { dt: PartitionRule; now?: Date },
): LakeTableWriter {
  const { source, entity } = spec;
  checkIdentifier('source', source);
  checkIdentifier('entity', entity);
  checkSchema(spec);
  // Tombstones need only their key and updated_at.
  const keyCols = new Set([...spec.naturalKey, spec.updatedAtField]);
  const tombstoneSchema: LakeSchema = {
    ...spec,
    columns: spec.columns.map((c) => ({ ...c, required: keyCols.has(c.name) })),
  };
  let work: string | undefined;
  let stage: Stage | undefined;
  let stages = 0;
  let quarantined = 0;
  let deadLetter: string | undefined;
  let closed = false;
  const nowIso = () => (spec.now ?? new Date()).toISOString();

  return {
    get stagedRows() {
      return stage?.rows ?? 0;
    },
    get stagedBytes() {
      return stage?.bytes ?? 0;
    },
    async add(rows, raw) {
      if (closed) throw new Error(`lake writer of ${source}/${entity} is closed`);
      const now = spec.now ?? new Date();
      // The raw page first: a dead letter and any later replay can point at it.
      const rawKey = raw ? await writeRawPage(lake, source, entity, raw, now) : undefined;
      work ??= fs.mkdtempSync(path.join(lake.tmpDir ?? os.tmpdir(), 'lake-write-'));
      stage ??= new Stage(path.join(work, `staged-${++stages}`));
      const refused: NonNullable<DeadLetter['rows']> = [];
      let accepted = 0;
      for (const row of rows) {
        const deleted = row[META_COLUMNS.deleted] === true;
        const checked = validateRow(deleted ? tombstoneSchema : spec, row);
        if (!checked.ok) {
          refused.push({ row, reasons: checked.reasons });
          continue;
        }
        const dt = partitionOf(spec.dt, checked.row.values);
        if (typeof dt !== 'string') {
          refused.push({ row, reasons: [dt.problem] });
          continue;
        }
        if (stage.write(checked.row.values, dt, checked.row.extra, deleted)) stage.flush();
        accepted++;
      }
      const letter = refused.length
        ? await writeDeadLetter(lake, {
            source,
            entity,
            kind: 'rows',
            reason: `${refused.length} row(s) refused by the schema: ${[...new Set(refused.flatMap((r) => r.reasons))].slice(0, 5).join('; ')}`,
            request: raw?.request ?? null,
            rows: refused,
            rawKey,
            dt: spec.dt,
            at: now.toISOString(),
          })
        : undefined;
      quarantined += refused.length;
      deadLetter = letter ?? deadLetter;
      return { accepted, quarantined: refused.length, deadLetter: letter, rawKey };
    },
    async commit() {
      if (closed) throw new Error(`lake writer of ${source}/${entity} is closed`);
      const batch = stage;
      stage = undefined;
      batch?.flush();
      const result = await groupCommit(lake, {
        spec,
        files: batch?.rows ? batch.files : undefined,
        rows: batch?.rows ?? 0,
        days: batch?.days ?? new Map(),
        unknown: batch?.unknown ?? new Set(),
        nowIso: nowIso(),
      });
      if (batch) await fs.promises.rm(batch.dir, { recursive: true, force: true });
      const out = { ...result, quarantined, deadLetter };
      [quarantined, deadLetter] = [0, undefined];
      return out;
    },
    close() {
      closed = true;
      if (work) fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * Validated rows on their way to a merge: NDJSON on local disk, one file per partition day (so the merge of a chunk
 * of days reads only those days' rows), buffered per day and appended in blocks.
 */
class Stage {
  rows = 0;
  bytes = 0;
  readonly days = new Map<string, number>();
  readonly unknown = new Set<string>();
  readonly files = new Map<string, string>();
  private buffers = new Map<string, string[]>();
  private bufferedChars = 0;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Adds a row to the buffer; true when the buffers should be flushed. */
  write(values: Record<string, unknown>, dt: string, extra: Record<string, unknown> | undefined, deleted: boolean) {
    // The values object is the validator's own: the staging fields go on it, no copy per row.
    values.dt = dt;
    values[META_COLUMNS.extra] = extra ? JSON.stringify(extra) : null;
    values[META_COLUMNS.deleted] = deleted;
    values._seq = this.rows++;
    const line = JSON.stringify(values);
    let buffer = this.buffers.get(dt);
    if (!buffer) this.buffers.set(dt, (buffer = []));
    buffer.push(line);
    this.bufferedChars += line.length;
    this.bytes += line.length + 1;
    this.days.set(dt, (this.days.get(dt) ?? 0) + 1);
    if (extra) for (const k of Object.keys(extra)) this.unknown.add(k);
    return this.bufferedChars >= 2 << 20;
  }

  /**
   * Appends the buffers (≤ 2 MB) to local disk synchronously, a few milliseconds: an asynchronous write waits for a
   * libuv thread, and while merges run (each holding one; lake/partition-merge.ts) staging would wait for the lake.
   */
  flush(): void {
    const buffers = this.buffers;
    [this.buffers, this.bufferedChars] = [new Map(), 0];
    for (const [dt, lines] of buffers) {
      let file = this.files.get(dt);
      if (!file) this.files.set(dt, (file = path.join(this.dir, `dt=${dt}.ndjson`)));
      fs.appendFileSync(file, `${lines.join('\n')}\n`);
    }
  }
}

/** One caller's staged rows, waiting to be merged into its table. */
interface Batch {
  spec: LakeTableSpec;
  /** The staged NDJSON per day, when any row was accepted. */
  files?: Map<string, string>;
  rows: number;
  days: Map<string, number>;
  unknown: Set<string>;
  nowIso: string;
}

type CommitResult = Omit<WriteLakeTableResult, 'quarantined' | 'deadLetter' | 'rawKey'>;

interface Waiting {
  batch: Batch;
  resolve(r: CommitResult): void;
  reject(e: unknown): void;
}

/** Per lake and table: the batches waiting while a merge of that table runs. */
const queues = new WeakMap<Lake, Map<string, { waiting: Waiting[]; running: boolean }>>();
/** A merge takes at most this many staged rows at once; the rest wait for the next. */
const GROUP_ROWS = 2_000_000;

/** Batches with the same signature (columns, key, updated_at field) can be merged in one rewrite. */
const signature = (s: LakeTableSpec) =>
  `${columnSetId(s.columns)}|${s.naturalKey.join(',')}|${s.updatedAtField}|${s.columns
    .map((c) => (c.required ? 1 : 0))
    .join('')}`;

/**
 * Group commit: a batch arriving while its table is being merged waits, and every batch that waited is merged in
 * the next round together (one download, dedup and upload per partition for all of them), in arrival order, so a
 * later batch wins an updated_at tie as a later write would.
 */
function groupCommit(lake: Lake, batch: Batch): Promise<CommitResult> {
  let tables = queues.get(lake);
  if (!tables) queues.set(lake, (tables = new Map()));
  const name = `${batch.spec.source}/${batch.spec.entity}`;
  let q = tables.get(name);
  if (!q) tables.set(name, (q = { waiting: [], running: false }));
  const queue = q;
  return new Promise<CommitResult>((resolve, reject) => {
    queue.waiting.push({ batch, resolve, reject });
    if (queue.running) return;
    queue.running = true;
    void (async () => {
      while (queue.waiting.length) {
        const sig = signature(queue.waiting[0]!.batch.spec);
        const group: Waiting[] = [];
        let rows = 0;
        for (const w of queue.waiting) {
          if (signature(w.batch.spec) !== sig || (group.length && rows + w.batch.rows > GROUP_ROWS)) continue;
          group.push(w);
          rows += w.batch.rows;
        }
        queue.waiting = queue.waiting.filter((w) => !group.includes(w));
        try {
          const results = await commitBatches(
            lake,
            group.map((w) => w.batch),
          );
          group.forEach((w, i) => w.resolve(results[i]!));
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
      queue.running = false;
      if (tables.get(name) === queue) tables.delete(name);
    })();
  });
}

/** Merges batches of one table (same schema) under the table's lock; the manifest is written last. */
async function commitBatches(lake: Lake, batches: Batch[]): Promise<CommitResult[]> {
  const spec = batches[0]!.spec;
  const { source, entity } = spec;
  const nowIso = batches.at(-1)!.nowIso;
  const lock = lake.lock ?? defaultLock;
  return lock.withLock(`${source}/${entity}`, async () => {
    const manifest = (await readManifest(lake.s3, lake.bucket, source, entity)) ?? {
      source,
      entity,
      schemaVersion: 0,
      versions: [],
      partitions: {},
      columnSets: {},
      unknownFields: {},
      updatedAt: nowIso,
    };
    const columnSet = columnSetId(spec.columns);
    const resolved = resolveSchemaVersion(manifest.versions, spec, batches[0]!.nowIso);
    // A field new to the manifest is reported by the first batch that brought it.
    const reported = new Set(Object.keys(manifest.unknownFields));
    const fresh = batches.map((b) => {
      const f = [...b.unknown].filter((x) => !reported.has(x)).sort();
      for (const x of f) reported.add(x);
      return f;
    });
    const days = new Map<string, number>();
    for (const b of batches) for (const [dt, n] of b.days) days.set(dt, (days.get(dt) ?? 0) + n);
    const staged: StagedFile[] = batches.flatMap((b, i) =>
      b.files ? [{ files: b.files, batch: i + 1, extractedAt: b.nowIso }] : [],
    );
    const results = (partitions: Map<string, { rows: number }>) =>
      batches.map((b, i) => ({
        written: b.rows,
        partitions: [...b.days.keys()].sort().map((dt) => ({ dt, rows: partitions.get(dt)?.rows ?? 0 })),
        schemaVersion: resolved.version,
        newUnknownFields: fresh[i]!,
      }));
    if (!staged.length && !resolved.added && !fresh.some((f) => f.length)) return results(new Map());
    let merged: { dt: string; rows: number; bytes: number }[] = [];
    if (staged.length) {
      const work = fs.mkdtempSync(path.join(lake.tmpDir ?? os.tmpdir(), 'lake-merge-'));
      try {
        merged = await mergePartitions(lake, spec, staged, {
          work,
          version: resolved.version,
          days,
          known: manifest.partitions,
          ...lake.merge,
        });
      } finally {
        await fs.promises.rm(work, { recursive: true, force: true });
      }
    }
    const next: LakeManifest = {
      ...manifest,
      schemaVersion: resolved.version,
      versions: resolved.history,
      partitions: { ...manifest.partitions },
      columnSets: { ...manifest.columnSets, ...(merged.length ? { [columnSet]: spec.columns } : {}) },
      unknownFields: { ...manifest.unknownFields },
      updatedAt: nowIso,
    };
    for (const p of merged)
      next.partitions[p.dt] = {
        rows: p.rows,
        bytes: p.bytes,
        schemaVersion: resolved.version,
        columnSet,
        writtenAt: nowIso,
      };
    for (const f of fresh.flat()) next.unknownFields[f] = { firstSeen: nowIso };
    await lake.s3.send(
      new PutObjectCommand({
        Bucket: lake.bucket,
        Key: manifestKey(source, entity),
        Body: JSON.stringify(next, null, 1),
        ContentType: 'application/json',
      }),
    );
    return results(new Map(merged.map((p) => [p.dt, p])));
  });
}
