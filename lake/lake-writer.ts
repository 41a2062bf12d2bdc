import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
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
import { openLakeDuckDB, sqlIdent, sqlString } from './duckdb';
import { manifestKey, partitionKey, rawPageKey } from './lake-layout';
import { processLakeLock, type LakeLock } from './lake-lock';
import { uploadFile } from './s3';

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
 *     rerun merges the same rows again to the same result: nothing lost or duplicated.
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
      Body: gzipSync(body ? `${body}\n` : ''),
      ContentType: 'application/x-ndjson',
      ContentEncoding: 'gzip',
    }),
  );
  return key;
}

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
  const { source, entity } = input;
  checkIdentifier('source', source);
  checkIdentifier('entity', entity);
  checkSchema(input);
  const now = input.now ?? new Date();
  const nowIso = now.toISOString();
  // The raw page first: a dead letter and any later replay can point at it.
  const rawKey = input.raw ? await writeRawPage(lake, source, entity, input.raw, now) : undefined;

  // Validate row by row (pure); tombstones need only their key and updated_at.
  const keyCols = new Set([...input.naturalKey, input.updatedAtField]);
  const tombstoneSchema: LakeSchema = {
    ...input,
    columns: input.columns.map((c) => ({ ...c, required: keyCols.has(c.name) })),
  };
  const accepted: { dt: string; values: Record<string, unknown>; extra?: Record<string, unknown>; deleted: boolean }[] =
    [];
  const refused: NonNullable<DeadLetter['rows']> = [];
  const unknown = new Set<string>();
  for (const row of input.rows) {
    const deleted = row[META_COLUMNS.deleted] === true;
    const checked = validateRow(deleted ? tombstoneSchema : input, row);
    if (!checked.ok) {
      refused.push({ row, reasons: checked.reasons });
      continue;
    }
    const dt = partitionOf(input.dt, checked.row.values);
    if (typeof dt !== 'string') {
      refused.push({ row, reasons: [dt.problem] });
      continue;
    }
    for (const k of Object.keys(checked.row.extra ?? {})) unknown.add(k);
    accepted.push({ dt, values: checked.row.values, extra: checked.row.extra, deleted });
  }
  const deadLetter = refused.length
    ? await writeDeadLetter(lake, {
        source,
        entity,
        kind: 'rows',
        reason: `${refused.length} row(s) refused by the schema: ${[...new Set(refused.flatMap((r) => r.reasons))].slice(0, 5).join('; ')}`,
        request: input.raw?.request ?? null,
        rows: refused,
        rawKey,
        dt: input.dt,
        at: nowIso,
      })
    : undefined;

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
    const columnSet = columnSetId(input.columns);
    const resolved = resolveSchemaVersion(manifest.versions, input, nowIso);
    const newUnknownFields = [...unknown].filter((f) => !manifest.unknownFields[f]).sort();
    let partitions: { dt: string; rows: number; bytes: number }[] = [];
    if (accepted.length) partitions = await mergePartitions(lake, input, accepted, resolved.version, nowIso);
    if (!accepted.length && !resolved.added && !newUnknownFields.length)
      return {
        written: 0,
        partitions: [],
        quarantined: refused.length,
        deadLetter,
        rawKey,
        schemaVersion: resolved.version,
        newUnknownFields,
      };
    const next: LakeManifest = {
      ...manifest,
      schemaVersion: resolved.version,
      versions: resolved.history,
      partitions: { ...manifest.partitions },
      columnSets: { ...manifest.columnSets, ...(partitions.length ? { [columnSet]: input.columns } : {}) },
      unknownFields: { ...manifest.unknownFields },
      updatedAt: nowIso,
    };
    for (const p of partitions)
      next.partitions[p.dt] = {
        rows: p.rows,
        bytes: p.bytes,
        schemaVersion: resolved.version,
        columnSet,
        writtenAt: nowIso,
      };
    for (const f of newUnknownFields) next.unknownFields[f] = { firstSeen: nowIso };
    await lake.s3.send(
      new PutObjectCommand({
        Bucket: lake.bucket,
        Key: manifestKey(source, entity),
        Body: JSON.stringify(next, null, 1),
        ContentType: 'application/json',
      }),
    );
    return {
      written: accepted.length,
      partitions: partitions.map(({ dt, rows }) => ({ dt, rows })),
      quarantined: refused.length,
      deadLetter,
      rawKey,
      schemaVersion: resolved.version,
      newUnknownFields,
    };
  });
}

/** Merges the accepted rows into their partitions (download, DuckDB, upload); returns each partition's new size. */
async function mergePartitions(
  lake: Lake,
  spec: LakeTableSpec,
  accepted: { dt: string; values: Record<string, unknown>; extra?: Record<string, unknown>; deleted: boolean }[],
  version: number,
  nowIso: string,
): Promise<{ dt: string; rows: number; bytes: number }[]> {
  const work = fs.mkdtempSync(path.join(lake.tmpDir ?? os.tmpdir(), 'lake-write-'));
  const duck = await openLakeDuckDB(undefined, { threads: 1 });
  const c = duck.connection;
  try {
    await c.run(`SET temp_directory = ${sqlString(path.join(work, 'spill'))}`);
    // New rows as NDJSON (values already normalized to text/boolean), typed by CAST below.
    const incomingFile = path.join(work, 'incoming.ndjson');
    const out = fs.createWriteStream(incomingFile);
    let seq = 0;
    for (const r of accepted) {
      const line = JSON.stringify({
        ...r.values,
        dt: r.dt,
        [META_COLUMNS.extra]: r.extra ? JSON.stringify(r.extra) : null,
        [META_COLUMNS.deleted]: r.deleted,
        _seq: seq++,
      });
      if (!out.write(`${line}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));

    const jsonColumns = [
      ...spec.columns.map((col) => `${sqlString(col.name)}: ${col.type === 'BOOLEAN' ? "'BOOLEAN'" : "'VARCHAR'"}`),
      `'dt': 'VARCHAR'`,
      `${sqlString(META_COLUMNS.extra)}: 'VARCHAR'`,
      `${sqlString(META_COLUMNS.deleted)}: 'BOOLEAN'`,
      `'_seq': 'BIGINT'`,
    ];
    const typed = spec.columns.map((col) => `CAST(${sqlIdent(col.name)} AS ${col.type}) AS ${sqlIdent(col.name)}`);
    await c.run(`CREATE TABLE incoming AS SELECT ${typed.join(', ')}, dt, ${META_COLUMNS.extra},
        ${META_COLUMNS.deleted}, ${version}::INTEGER AS ${META_COLUMNS.schemaVersion},
        ${sqlString(nowIso)}::TIMESTAMP AS ${META_COLUMNS.extractedAt}, 1 AS _src, _seq
      FROM read_json(${sqlString(incomingFile)}, format = 'newline_delimited', columns = {${jsonColumns.join(', ')}})`);
    const days = (await c.runAndReadAll(`SELECT DISTINCT dt FROM incoming ORDER BY dt`))
      .getRowObjects()
      .map((r) => String(r.dt));

    // The partitions that exist already, downloaded beside each other (dt=…/data.parquet).
    const oldDir = path.join(work, 'old');
    const existing: string[] = [];
    for (const dt of days) {
      const file = path.join(oldDir, `dt=${dt}`, 'data.parquet');
      if (await download(lake, partitionKey(spec.source, spec.entity, dt), file)) existing.push(file);
    }
    let union = `SELECT * FROM incoming`;
    if (existing.length) {
      await c.run(`CREATE VIEW old_raw AS SELECT * FROM read_parquet([${existing.map(sqlString).join(', ')}],
        hive_partitioning = true, union_by_name = true, hive_types = {'dt': VARCHAR})`);
      const have = new Set(
        (await c.runAndReadAll(`DESCRIBE old_raw`)).getRowObjects().map((r) => String(r.column_name)),
      );
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
        '0::BIGINT AS _seq',
      ];
      union += ` UNION ALL BY NAME SELECT ${oldCols.join(', ')} FROM old_raw`;
    }
    const key = spec.naturalKey.map(sqlIdent).join(', ');
    const newDir = path.join(work, 'new');
    await c.run(`COPY (
        SELECT * EXCLUDE (_src, _seq) FROM (${union})
        QUALIFY row_number() OVER (PARTITION BY dt, ${key}
          ORDER BY ${sqlIdent(spec.updatedAtField)} DESC NULLS LAST, _src DESC, _seq DESC) = 1
        ORDER BY dt, ${key}
      ) TO ${sqlString(newDir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt), FILENAME_PATTERN 'data_{i}')`);
    const counts = new Map(
      (await c.runAndReadAll(`SELECT dt, count(*) AS n FROM incoming GROUP BY dt`))
        .getRowObjects()
        .map((r) => [String(r.dt), 0]),
    );
    const sizes = await c.runAndReadAll(
      `SELECT dt, count(*) AS n FROM read_parquet(${sqlString(path.join(newDir, '*', '*.parquet'))}, hive_partitioning = true, hive_types = {'dt': VARCHAR}) GROUP BY dt`,
    );
    for (const r of sizes.getRowObjects()) counts.set(String(r.dt), Number(r.n));
    const result: { dt: string; rows: number; bytes: number }[] = [];
    for (const dt of days) {
      const dir = path.join(newDir, `dt=${dt}`);
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet'));
      if (files.length !== 1)
        throw new Error(`partition ${dt}: expected one Parquet file, DuckDB wrote ${files.length}`);
      const file = path.join(dir, files[0]!);
      await uploadFile(
        lake.s3,
        {
          Bucket: lake.bucket,
          Key: partitionKey(spec.source, spec.entity, dt),
          ContentType: 'application/vnd.apache.parquet',
        },
        file,
      );
      result.push({ dt, rows: counts.get(dt) ?? 0, bytes: fs.statSync(file).size });
    }
    return result;
  } finally {
    duck.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function download(lake: Lake, key: string, file: string): Promise<boolean> {
  try {
    const res = await lake.s3.send(new GetObjectCommand({ Bucket: lake.bucket, Key: key }));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, await res.Body!.transformToByteArray());
    return true;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return false;
    throw err;
  }
}
