import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { META_COLUMNS, type LakeTableSpec } from '../domain/extraction/lake-schema';
import { openLakeDuckDB, sqlIdent, sqlString } from './duckdb';
import { partitionKey, tablePrefix } from './lake-layout';
import { uploadFile } from './s3';
import type { Lake } from './lake-writer';

/**
 * The merge step of the lake writer (lake-writer.ts): staged rows (validated, as NDJSON files on local disk) and the
 * partitions they touch → one new Parquet file per partition, deduplicated in DuckDB, uploaded. The manifest is the
 * caller's, written after this returns.
 *
 * Bounded work per step: the partitions are merged in chunks of at most `chunkRows` rows (new plus existing, by the
 * manifest's counts) and `chunkDays` days, each chunk downloaded, merged, uploaded and deleted before the next, so
 * neither local disk nor DuckDB (memory-limited, spilling to the work dir) holds more than a chunk. Rows are staged
 * in one file per day, so a chunk reads only its own days' rows. S3 transfers run `transferConcurrency` at a time.
 * One DuckDB thread: on a shared 2-core worker a second one cost more CPU than it saved.
 */
export interface StagedFile {
  /** Per day, NDJSON, one validated row a line: the columns as text/boolean, `dt`, `_extra`, `_deleted`, `_seq`. */
  files: Map<string, string>;
  /** The batch's position among those merged together: a later batch wins a tie on updated_at. */
  batch: number;
  extractedAt: string;
}

export interface MergeOptions {
  work: string;
  version: number;
  /** Days the staged rows fall in, with how many rows each (for chunking). */
  days: Map<string, number>;
  /** Row counts of the partitions the manifest lists (for chunking, and to know which exist). */
  known: Record<string, { rows: number }>;
  chunkRows?: number;
  chunkDays?: number;
  transferConcurrency?: number;
  memoryLimit?: string;
  threads?: number;
}

export interface MergedPartition {
  dt: string;
  rows: number;
  bytes: number;
}

/** Columns of the staged NDJSON, as read_json reads them (typed by CAST afterwards). */
const stagedJsonColumns = (spec: LakeTableSpec) =>
  [
    ...spec.columns.map((col) => `${sqlString(col.name)}: ${col.type === 'BOOLEAN' ? "'BOOLEAN'" : "'VARCHAR'"}`),
    `'dt': 'VARCHAR'`,
    `${sqlString(META_COLUMNS.extra)}: 'VARCHAR'`,
    `${sqlString(META_COLUMNS.deleted)}: 'BOOLEAN'`,
    `'_seq': 'BIGINT'`,
  ].join(', ');

/**
 * DuckDB merges running at once in this process, at most MERGE_SLOTS. Each one costs ~100–150 MB beside its memory
 * limit, and every query it runs holds one of libuv's threads (the bindings run queries as N-API async work; 4
 * threads by default) for as long as it runs. Unbounded, the four Lightspeed tables of one commit merged at once:
 * their memory added up, and the staging writes and raw-page compression of the pages being fetched meanwhile queued
 * behind them for a thread, so a busy lake held up the fetching. Later merges wait for a slot.
 */
export const MERGE_SLOTS = 2;
const slots = { running: 0, waiting: [] as (() => void)[] };
/** The most merges seen running at once (for tests and benches). */
export const mergeStats = { peakConcurrent: 0 };

async function withMergeSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (slots.running >= MERGE_SLOTS) await new Promise<void>((r) => slots.waiting.push(r));
  else slots.running++;
  mergeStats.peakConcurrent = Math.max(mergeStats.peakConcurrent, slots.running);
  try {
    return await fn();
  } finally {
    const next = slots.waiting.shift();
    if (next)
      next(); // the slot passes straight to the next merge
    else slots.running--;
  }
}

/**
 * Rows (staged plus existing) one merge step takes. DuckDB holds most of a step's rows pinned at once (its 64 MB limit
 * is no spill threshold for them): Lightspeed sale lines (26 columns) ran out of memory ("failed to pin block") at
 * 250,000 rows over 32 days and at 400,000 in one day, and merged 150,000 either way, with the day's 150,000 old rows
 * beside them. One day is never split, so a day larger than this is one step of its own.
 */
export const CHUNK_ROWS = 150_000;

export function mergePartitions(
  lake: Lake,
  spec: LakeTableSpec,
  staged: StagedFile[],
  o: MergeOptions,
): Promise<MergedPartition[]> {
  return withMergeSlot(() => mergeInSlot(lake, spec, staged, o));
}

async function mergeInSlot(
  lake: Lake,
  spec: LakeTableSpec,
  staged: StagedFile[],
  o: MergeOptions,
): Promise<MergedPartition[]> {
  const concurrency = o.transferConcurrency ?? 8;
  // 64 MB: a merge of 1M staged rows (35 days of line items) peaked at ~110 MB above the process's base with it,
  // ~165 MB with 128 MB (the sort and window spill to the work dir; timings on the loaded machine too noisy to
  // compare); with 32 MB DuckDB could not allocate its read buffer.
  const duck = await openLakeDuckDB(undefined, { threads: o.threads ?? 1, memoryLimit: o.memoryLimit ?? '64MB' });
  const c = duck.connection;
  try {
    await c.run(`SET temp_directory = ${sqlString(path.join(o.work, 'spill'))}`);
    const existing = await existingPartitions(lake, spec, [...o.days.keys()], o.known);
    const chunks = chunkDays(o.days, existing, o.known, o.chunkRows ?? CHUNK_ROWS, o.chunkDays ?? 32);
    // The staged rows of the chunk's days, typed.
    const typed = spec.columns.map((col) => `CAST(${sqlIdent(col.name)} AS ${col.type}) AS ${sqlIdent(col.name)}`);
    const jsonColumns = stagedJsonColumns(spec);
    const incoming = (days: string[]) =>
      staged
        .map((s) => ({ s, files: days.flatMap((d) => (s.files.has(d) ? [s.files.get(d)!] : [])) }))
        .filter((x) => x.files.length)
        .map(
          ({ s, files }) => `SELECT ${typed.join(', ')}, dt, ${META_COLUMNS.extra}, ${META_COLUMNS.deleted},
            ${o.version}::INTEGER AS ${META_COLUMNS.schemaVersion},
            ${sqlString(s.extractedAt)}::TIMESTAMP AS ${META_COLUMNS.extractedAt},
            1 AS _src, ${s.batch}::INTEGER AS _batch, _seq
          FROM read_json([${files.map(sqlString).join(', ')}], format = 'newline_delimited', columns = {${jsonColumns}})`,
        )
        .join(' UNION ALL ');

    const result: MergedPartition[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const dir = path.join(o.work, `chunk-${i}`);
      result.push(...(await mergeChunk(lake, spec, c, dir, chunk, incoming(chunk), existing, concurrency)));
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
    return result;
  } finally {
    duck.close();
  }
}

/** The days in merge order, cut into chunks of at most `maxRows` rows (staged + existing) and `maxDays` days. */
function chunkDays(
  staged: Map<string, number>,
  existing: Set<string>,
  known: Record<string, { rows: number }>,
  maxRows: number,
  maxDays: number,
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const dt of [...staged.keys()].sort()) {
    const n = (staged.get(dt) ?? 0) + (existing.has(dt) ? (known[dt]?.rows ?? 0) : 0);
    if (current.length && (size + n > maxRows || current.length >= maxDays)) {
      chunks.push(current);
      [current, size] = [[], 0];
    }
    current.push(dt);
    size += n;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** Which of `days` have a partition file: those the manifest lists, and, if any is not listed, one listing. */
async function existingPartitions(
  lake: Lake,
  spec: LakeTableSpec,
  days: string[],
  known: Record<string, unknown>,
): Promise<Set<string>> {
  const out = new Set(days.filter((d) => known[d]));
  if (out.size === days.length) return out;
  // A partition file the manifest doesn't list (a run that crashed before its manifest): merged, not overwritten.
  const wanted = new Set(days);
  const prefix = `${tablePrefix(spec.source, spec.entity)}dt=`;
  let ContinuationToken: string | undefined;
  do {
    const res = await lake.s3.send(
      new ListObjectsV2Command({ Bucket: lake.bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const o of res.Contents ?? []) {
      const m = /dt=([^/]+)\/data\.parquet$/.exec(o.Key ?? '');
      if (m && wanted.has(m[1]!)) out.add(m[1]!);
    }
    ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return out;
}

async function mergeChunk(
  lake: Lake,
  spec: LakeTableSpec,
  c: Awaited<ReturnType<typeof openLakeDuckDB>>['connection'],
  dir: string,
  days: string[],
  incoming: string,
  existing: Set<string>,
  concurrency: number,
): Promise<MergedPartition[]> {
  const oldFiles = days
    .filter((d) => existing.has(d))
    .map((dt) => ({ dt, file: path.join(dir, 'old', `dt=${dt}`, 'data.parquet') }));
  const present = (
    await mapLimit(oldFiles, concurrency, async (f) =>
      (await download(lake, partitionKey(spec.source, spec.entity, f.dt), f.file)) ? f.file : undefined,
    )
  ).filter((f): f is string => Boolean(f));
  let union = `SELECT * FROM (${incoming})`;
  if (present.length) {
    await c.run(`CREATE OR REPLACE VIEW old_raw AS SELECT * FROM read_parquet([${present.map(sqlString).join(', ')}],
      hive_partitioning = true, union_by_name = true, hive_types = {'dt': VARCHAR})`);
    const have = new Set((await c.runAndReadAll(`DESCRIBE old_raw`)).getRowObjects().map((r) => String(r.column_name)));
    // Old partitions take the current schema: a column they lack is NULL, a retyped one TRY_CAST.
    const col = (name: string, type: string) =>
      have.has(name)
        ? `TRY_CAST(${sqlIdent(name)} AS ${type}) AS ${sqlIdent(name)}`
        : `NULL::${type} AS ${sqlIdent(name)}`;
    const oldCols = [
      ...spec.columns.map((x) => col(x.name, x.type)),
      'dt',
      col(META_COLUMNS.extra, 'VARCHAR'),
      `coalesce(${have.has(META_COLUMNS.deleted) ? META_COLUMNS.deleted : 'NULL'}, false) AS ${META_COLUMNS.deleted}`,
      col(META_COLUMNS.schemaVersion, 'INTEGER'),
      col(META_COLUMNS.extractedAt, 'TIMESTAMP'),
      '0 AS _src',
      '0 AS _batch',
      '0::BIGINT AS _seq',
    ];
    union += ` UNION ALL BY NAME SELECT ${oldCols.join(', ')} FROM old_raw`;
  }
  const key = spec.naturalKey.map(sqlIdent).join(', ');
  const newDir = path.join(dir, 'new');
  fs.mkdirSync(dir, { recursive: true });
  const stats = await c.runAndReadAll(`COPY (
      SELECT * EXCLUDE (_src, _batch, _seq) FROM (${union})
      QUALIFY row_number() OVER (PARTITION BY dt, ${key}
        ORDER BY ${sqlIdent(spec.updatedAtField)} DESC NULLS LAST, _src DESC, _batch DESC, _seq DESC) = 1
      ORDER BY dt, ${key}
    ) TO ${sqlString(newDir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt), FILENAME_PATTERN 'data_{i}',
      RETURN_STATS)`);
  const files = new Map<string, { file: string; rows: number; bytes: number }[]>();
  for (const r of stats.getRowObjectsJson()) {
    const dt = (r.partition_keys as { key: string; value: string }[]).find((k) => k.key === 'dt')?.value ?? '';
    files.set(dt, [
      ...(files.get(dt) ?? []),
      { file: String(r.filename), rows: Number(r.count), bytes: Number(r.file_size_bytes) },
    ]);
  }
  return mapLimit(days, concurrency, async (dt) => {
    const written = files.get(dt) ?? [];
    if (written.length !== 1)
      throw new Error(`partition ${dt}: expected one Parquet file, DuckDB wrote ${written.length}`);
    const f = written[0]!;
    await upload(lake, partitionKey(spec.source, spec.entity, dt), f.file, f.bytes);
    return { dt, rows: f.rows, bytes: f.bytes };
  });
}

/** Small files in one PUT; large ones multipart (streamed, bounded memory). */
async function upload(lake: Lake, key: string, file: string, bytes: number): Promise<void> {
  const target = { Bucket: lake.bucket, Key: key, ContentType: 'application/vnd.apache.parquet' };
  if (bytes > 16 * 1024 * 1024) return uploadFile(lake.s3, target, file);
  await lake.s3.send(new PutObjectCommand({ ...target, Body: fs.readFileSync(file), ContentLength: bytes }));
}

async function download(lake: Lake, key: string, file: string): Promise<boolean> {
  try {
    const res = await lake.s3.send(new GetObjectCommand({ Bucket: lake.bucket, Key: key }));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await pipeline(res.Body as Readable, fs.createWriteStream(file));
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return false;
    throw err;
  }
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
