import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { openLakeDuckDB, sqlIdent, sqlString, type LakeDuckDB } from './duckdb';
import { META_COLUMNS, type LakeColumn } from '../domain/extraction/lake-schema';
import { lakeTables } from '../domain/extraction/lake-tables';
import { partitionKey, tablePrefix } from './lake-layout';
import { readManifest, type LakeManifest } from './lake-writer';
import type { AwsConnection } from './s3';

/** Every table with a manifest in the lake bucket (`<source>/<entity>/_manifest.json`). */
export async function listLakeTables(s3: S3Client, bucket: string): Promise<LakeManifest[]> {
  const prefixes = async (Prefix: string) => {
    const out: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const res = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix, Delimiter: '/', ContinuationToken }),
      );
      for (const p of res.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix);
      ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return out;
  };
  const tables: LakeManifest[] = [];
  for (const src of await prefixes('')) {
    const source = src.slice(0, -1);
    if (!/^[a-z][a-z0-9_]*$/.test(source)) continue;
    for (const ent of await prefixes(src)) {
      const entity = ent.slice(src.length, -1);
      if (!/^[a-z][a-z0-9_]*$/.test(entity)) continue;
      const manifest = await readManifest(s3, bucket, source, entity);
      if (manifest) tables.push(manifest);
    }
  }
  return tables;
}

export interface LakeQuerySession {
  duck: LakeDuckDB;
  tables: string[];
  /** Runs SQL over the views; rows as plain objects (BIGINT/DECIMAL as JSON-safe values). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/**
 * A DuckDB session with every lake table as the view `<source>.<entity>`, `dt` a DATE from the partition path.
 * With httpfs the views read S3 in place, and a filter on `dt` prunes the partitions listed (DuckDB's hive
 * partitioning filters the file list before opening any file). Without httpfs (the wheel is missing) the partitions
 * are fetched through the AWS SDK into a local cache (`cacheDir`, refreshed by ETag): only `dtFrom`..`dtTo`, when
 * given, so the query still reads only the days it needs.
 */
export async function openLakeQuery(o: {
  aws: AwsConnection;
  s3: S3Client;
  bucket: string;
  cacheDir: string;
  dtFrom?: string;
  dtTo?: string;
  forceSdk?: boolean;
}): Promise<LakeQuerySession> {
  const duck = await openLakeDuckDB(o.forceSdk ? undefined : o.aws);
  const c = duck.connection;
  try {
    const tables = await listLakeTables(o.s3, o.bucket);
    const build = async () => {
      for (const t of tables) {
        let files: Map<string, string>;
        if (duck.httpfs)
          files = new Map(
            Object.keys(t.partitions).map((dt) => [dt, `s3://${o.bucket}/${partitionKey(t.source, t.entity, dt)}`]),
          );
        else files = await mirrorPartitions(o, t.source, t.entity);
        const view = tableViewSql(t, files);
        if (!view) continue;
        await c.run(`CREATE SCHEMA IF NOT EXISTS ${sqlIdent(t.source)}`);
        await c.run(`CREATE OR REPLACE VIEW ${sqlIdent(t.source)}.${sqlIdent(t.entity)} AS ${view}`);
      }
      // A registered table of a source the lake has, not written yet (stock.adjustments before any Stocky import):
      // an empty view, so a query joining the source's tables (STOCK_HISTORY_SQL) runs.
      const sources = new Set(tables.map((t) => t.source));
      const written = new Set(tables.map((t) => `${t.source}/${t.entity}`));
      for (const def of lakeTables())
        if (sources.has(def.source) && !written.has(`${def.source}/${def.entity}`)) {
          const empty = {
            versions: [{ columns: def.columns }],
            partitions: {},
            columnSets: {},
          } as unknown as LakeManifest;
          await c.run(
            `CREATE OR REPLACE VIEW ${sqlIdent(def.source)}.${sqlIdent(def.entity)} AS ${tableViewSql(empty, new Map())!}`,
          );
        }
    };
    await retryReplaced(build);
    return {
      duck,
      tables: tables.map((t) => `${t.source}.${t.entity}`),
      async query(sql) {
        return retryReplaced(
          async () => (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
          build,
        );
      },
      close: () => duck.close(),
    };
  } catch (err) {
    duck.close();
    throw err;
  }
}

/**
 * A partition replaced while a session had it open (a writer's PUT between the views' bind and the query, or
 * between two range reads) fails with an ETag mismatch. The new file is complete: the views are bound again and
 * the statement rerun.
 */
async function retryReplaced<T>(run: () => Promise<T>, rebind?: () => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= 8 || !/ETag on reading file/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt));
      if (rebind) await retryReplaced(rebind);
    }
  }
}

/**
 * The table's view: partitions grouped by the column set their file holds, one `read_parquet` per group (binding
 * opens only the group's first file; the dt filter prunes the rest), each projected onto the newest columns.
 */
export function tableViewSql(t: LakeManifest, files: Map<string, string>): string | undefined {
  const current = new Map<string, LakeColumn>();
  for (const v of t.versions) for (const col of v.columns) current.set(col.name, col);
  for (const set of Object.values(t.columnSets ?? {}))
    for (const col of set) if (!current.has(col.name)) current.set(col.name, col);
  const groups = new Map<string, string[]>();
  for (const [dt, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const set = t.partitions[dt]?.columnSet ?? 'unknown';
    groups.set(set, [...(groups.get(set) ?? []), file]);
  }
  const meta = `${META_COLUMNS.extra}, ${META_COLUMNS.deleted}, ${META_COLUMNS.schemaVersion}, ${META_COLUMNS.extractedAt}`;
  if (!groups.size) {
    // A table written with no rows yet: an empty view of its columns, so queries over it run (and return nothing).
    if (!current.size) return undefined;
    const cols = [...current.values()].map((col) => `NULL::${col.type} AS ${sqlIdent(col.name)}`);
    return `SELECT ${cols.join(', ')}, NULL::VARCHAR AS ${META_COLUMNS.extra}, NULL::BOOLEAN AS ${META_COLUMNS.deleted},
      NULL::INTEGER AS ${META_COLUMNS.schemaVersion}, NULL::TIMESTAMP AS ${META_COLUMNS.extractedAt}, NULL::DATE AS dt
      WHERE false`;
  }
  const selects = [...groups].map(([set, list]) => {
    const had = set === 'unknown' ? undefined : new Map((t.columnSets[set] ?? []).map((c) => [c.name, c.type]));
    const cols = [...current.values()].map((col) => {
      const q = sqlIdent(col.name);
      if (!had) return `TRY_CAST(${q} AS ${col.type}) AS ${q}`;
      const type = had.get(col.name);
      if (!type) return `NULL::${col.type} AS ${q}`;
      return type === col.type ? q : `TRY_CAST(${q} AS ${col.type}) AS ${q}`;
    });
    return `SELECT ${cols.join(', ')}, ${meta}, dt FROM read_parquet([${list.map(sqlString).join(', ')}],
      hive_partitioning = true, hive_types = {'dt': DATE}${had ? '' : ', union_by_name = true'})`;
  });
  return selects.join('\nUNION ALL BY NAME\n');
}

/** The SDK fallback: the table's partitions (within the dt range) in `cacheDir`, re-downloaded when the ETag moved. */
async function mirrorPartitions(
  o: { s3: S3Client; bucket: string; cacheDir: string; dtFrom?: string; dtTo?: string },
  source: string,
  entity: string,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let ContinuationToken: string | undefined;
  do {
    const res = await o.s3.send(
      new ListObjectsV2Command({ Bucket: o.bucket, Prefix: `${tablePrefix(source, entity)}dt=`, ContinuationToken }),
    );
    for (const obj of res.Contents ?? []) {
      const m = /dt=(\d{4}-\d{2}-\d{2})\/data\.parquet$/.exec(obj.Key ?? '');
      if (!m || (o.dtFrom && m[1]! < o.dtFrom) || (o.dtTo && m[1]! > o.dtTo)) continue;
      const file = path.join(o.cacheDir, o.bucket, obj.Key!);
      const tag = `${file}.etag`;
      if (!fs.existsSync(file) || !fs.existsSync(tag) || fs.readFileSync(tag, 'utf8') !== obj.ETag) {
        const body = await o.s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: obj.Key }));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, await body.Body!.transformToByteArray());
        fs.writeFileSync(tag, obj.ETag ?? '');
      }
      files.set(m[1]!, file);
    }
    ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return files;
}
