import fs from 'node:fs';
import path from 'node:path';
import { BARBADOS_OFFSET } from '../domain/platform/dates';
import { CARD_NUMBER_RANGE, LOYALTY_COLUMNS, LOYALTY_REASONS, type LoyaltyCounts } from '../domain/loyalty/loyalty';
import type { SourceEncoding } from './source-encoding';
import { createDuckDB } from './duckdb';
import { INVALID_UTF8_MARK } from './utf8-lines';

export interface ConvertOptions {
  csvPath: string;
  /** Work directory: `points/month=YYYY-MM/*.parquet`, `rejects.csv`, `contributions.ndjson` are written here. */
  outDir: string;
  storeCodes: readonly string[];
  /** DuckDB spills to disk beyond this (default 128MB: a 10M-row file then peaks near 400 MiB RSS). */
  memoryLimit?: string;
  threads?: number;
  /** UTC offset of local store time, for timestamps written without one (Barbados: -04:00, no DST). */
  localOffset?: string;
  /** Parquet codec: snappy (the default, as DuckDB's and Spark's) or zstd (about a third smaller, slower to write). */
  compression?: ParquetCompression;
  /** The file's text encoding (UTF-8 by default); a row not valid in it is quarantined. */
  encoding?: SourceEncoding;
  /** The header's column names in file order (read by the caller, which has checked every required one is there). */
  header?: readonly string[];
  /**
   * Local Parquet files of transactions converted before from other files, for the months (`YYYY-MM`) this file
   * touches: a transaction id already in them is quarantined as a duplicate. Omitted: only duplicates within the
   * file are caught.
   */
  priorParquet?(months: string[]): Promise<string[]>;
}

export const DUPLICATE_REASON = 'duplicate transaction id';

export type ParquetCompression = 'snappy' | 'zstd';

export interface ConvertResult extends LoyaltyCounts {
  months: { month: string; files: string[] }[];
  rejectsPath: string | null;
  contributionsPath: string;
  cards: number;
  pointsSum: number;
  /** Where the time went: stage (the one parse, with the checks), parquet, rejects, contributions. */
  phasesMs: Record<string, number>;
}

/** `-04:00` → -240. */
function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m) throw new Error(`bad UTC offset ${offset}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlList = (items: readonly string[]) => items.map(sqlString).join(', ');

/** A date, optionally with a time (`T` or space): the local, offset-less form. */
const NAIVE_TIMESTAMP = String.raw`\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?`;
/** The same with `Z` or a numeric offset (`+01:00`, `-0400`, `+01`); zone names are refused. */
const ZONED_TIMESTAMP = String.raw`${NAIVE_TIMESTAMP}\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?)`;

/**
 * `col` as a UTC TIMESTAMP, or NULL. The common shapes take DuckDB's plain (non-ICU) parser: `…Z` as is, local time
 * shifted by the store's fixed offset. Only other offsets go through the ICU TIMESTAMPTZ cast, and only after the
 * pattern has ruled out zone names: DuckDB 1.5's cast carries a zone name (`… UTC`) over to the rows after it.
 */
function utcTimestamp(col: string, localOffset: string): string {
  return `CASE WHEN suffix(${col}, 'Z') THEN TRY_CAST(${col} AS TIMESTAMP)
    WHEN regexp_full_match(${col}, ${sqlString(NAIVE_TIMESTAMP)})
      THEN TRY_CAST(${col} AS TIMESTAMP) + INTERVAL (${-offsetMinutes(localOffset)}) MINUTE
    WHEN regexp_full_match(${col}, ${sqlString(ZONED_TIMESTAMP)})
      THEN make_timestamp(epoch_us(TRY_CAST(upper(${col}) AS TIMESTAMPTZ))) END`;
}

/**
 * Validates a loyalty CSV and writes it as typed Parquet partitioned by month, all inside DuckDB:
 * transaction_id/card_number BIGINT, store_code and reason ENUM (dictionary-encoded), points_delta INTEGER,
 * occurred_at TIMESTAMPTZ (UTC-adjusted), snappy or zstd. The file is parsed once, into a staging table in file order: rows
 * DuckDB's typed reader refuses land in its rejects table with their line; rows that parse but break a rule keep
 * their reason and raw text, and their place among the accepted rows is the staging table's rowid. The Parquet,
 * the rejects (with file row numbers) and each card's totals (the balances step's input) are all read from it.
 */
export async function convertLoyaltyCsv(o: ConvertOptions): Promise<ConvertResult> {
  fs.mkdirSync(o.outDir, { recursive: true });
  const spill = path.join(o.outDir, 'spill');
  const db = await createDuckDB(':memory:', {
    threads: String(o.threads ?? 2),
    memory_limit: o.memoryLimit ?? '128MB',
    temp_directory: spill,
  });
  const c = await db.connect();
  const phasesMs: Record<string, number> = {};
  let lap = performance.now();
  const mark = (phase: string) => {
    phasesMs[phase] = Math.round(performance.now() - lap);
    lap = performance.now();
  };
  const scalar = async (sql: string) => Number(Object.values((await c.runAndReadAll(sql)).getRowObjects()[0]!)[0]);
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    await c.run(`CREATE TYPE store_code AS ENUM (${sqlList(o.storeCodes.map((s) => s.toUpperCase()))})`);
    await c.run(`CREATE TYPE reason AS ENUM (${sqlList(LOYALTY_REASONS)})`);
    // Types the reader enforces itself (fast, parallel); points and timestamps stay text because the reader would
    // round `12.5` and null a `2024-13-01` silently, and both must be rejected with a reason instead.
    const types: Record<string, string> = {
      transaction_id: 'BIGINT',
      card_number: 'BIGINT',
      store_code: 'store_code',
      points_delta: 'VARCHAR',
      reason: 'reason',
      occurred_at: 'VARCHAR',
    };
    // The reader maps columns by position: named in the header's order (other columns are read as text, unused).
    const header = o.header ?? LOYALTY_COLUMNS;
    const columns = `{${header.map((h) => `${sqlString(h)}: ${sqlString(types[h] ?? 'VARCHAR')}`).join(', ')}}`;
    // DuckDB knows UTF-8 and Latin-1 (windows-1252 differs only in 0x80–0x9F, never valid in these columns).
    const encoding = (o.encoding ?? 'utf-8') === 'utf-8' ? 'utf-8' : 'latin-1';
    const source = `read_csv(${sqlString(o.csvPath)}, header = true, auto_detect = false, delim = ',', quote = '"',
      escape = '"', columns = ${columns}, ignore_errors = true, store_rejects = true, encoding = ${sqlString(encoding)},
      force_not_null = [${sqlList(LOYALTY_COLUMNS)}])`;
    const checked = `SELECT transaction_id, card_number, store_code, reason, points_delta AS points_text,
      occurred_at AS occurred_text, TRY_CAST(points_delta AS INTEGER) AS points,
      ${utcTimestamp('occurred_at', o.localOffset ?? BARBADOS_OFFSET)} AS occurred FROM ${source}`;
    const rules = [
      [`transaction_id > 0`, 'transaction_id must be positive'],
      [`card_number BETWEEN ${CARD_NUMBER_RANGE.min} AND ${CARD_NUMBER_RANGE.max}`, 'card_number must be 8-18 digits'],
      [
        `points IS NOT NULL AND NOT (contains(points_text, '.') OR contains(points_text, 'e') OR contains(points_text, 'E'))`,
        'points_delta must be a 32-bit integer',
      ],
      [`occurred IS NOT NULL`, 'occurred_at not a timestamp'],
    ] as const;
    const valid = rules.map(([rule]) => `coalesce(${rule}, false)`).join(' AND ');
    const broken = rules.map(([rule, why]) => `CASE WHEN NOT coalesce(${rule}, false) THEN ${sqlString(why)} END`);

    // The one parse. Insertion order is kept (DuckDB's default), so rowid + 1 is a row's number among the accepted
    // rows. A rule breaker carries its reasons and raw text in one column (unit separator between), NULL otherwise.
    // occurred_at stays a plain UTC TIMESTAMP here; to_timestamp below makes it TIMESTAMPTZ exactly (to the
    // microsecond) and much faster than ICU's cast.
    await c.run(`CREATE TABLE staged AS
      SELECT transaction_id, card_number, store_code, points AS points_delta, reason, occurred AS occurred_at,
        CASE WHEN NOT (${valid}) THEN concat_ws('; ', ${broken.join(', ')}) || chr(31)
          || concat_ws(',', transaction_id, card_number, store_code, points_text, reason, occurred_text) END AS broken
      FROM (${checked})`);
    mark('stage');

    // A transaction id counts once: a later row with an id seen before in the file, or in the lake's months this
    // file touches (from other files), is quarantined. One hash aggregate finds the repeated ids (usually none);
    // only their rows are ranked.
    const duplicate = (why: string) =>
      `${sqlString(why)} || chr(31) || concat_ws(',', transaction_id, card_number, store_code, points_delta, reason,
        strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%fZ'))`;
    await c.run(`CREATE TEMP TABLE repeated AS
      SELECT transaction_id FROM staged WHERE broken IS NULL GROUP BY transaction_id HAVING count(*) > 1`);
    if ((await scalar('SELECT count(*) FROM repeated')) > 0)
      await c.run(`UPDATE staged SET broken = ${duplicate(DUPLICATE_REASON)}
        WHERE rowid IN (SELECT rowid FROM (
          SELECT rowid, row_number() OVER (PARTITION BY transaction_id ORDER BY rowid) AS nth FROM staged
          WHERE broken IS NULL AND transaction_id IN (SELECT transaction_id FROM repeated)) WHERE nth > 1)`);
    if (o.priorParquet) {
      const touched = (
        await c.runAndReadAll(`SELECT DISTINCT strftime(occurred_at, '%Y-%m') AS m FROM staged WHERE broken IS NULL`)
      )
        .getRowObjects()
        .map((r) => String(r.m));
      const prior = touched.length ? await o.priorParquet(touched) : [];
      if (prior.length)
        await c.run(`UPDATE staged SET broken = ${duplicate(`${DUPLICATE_REASON} (converted before from another file)`)}
          WHERE broken IS NULL AND transaction_id IN (
            SELECT transaction_id FROM read_parquet([${sqlList(prior)}]))`);
    }
    mark('dedupe');

    // Partitioned by an integer month (cheap per row), renamed to month=YYYY-MM afterwards.
    const pointsDir = path.join(o.outDir, 'points');
    fs.rmSync(pointsDir, { recursive: true, force: true });
    const converted = await scalar(`COPY (
        SELECT transaction_id, card_number, store_code, points_delta, reason,
          to_timestamp(epoch_us(occurred_at) / 1000000) AS occurred_at,
          year(occurred_at) * 100 + month(occurred_at) AS month
        FROM staged WHERE broken IS NULL
      ) TO ${sqlString(pointsDir)} (FORMAT parquet, COMPRESSION ${o.compression ?? 'snappy'}, PARTITION_BY (month), FILENAME_PATTERN 'part-{i}')`);
    const months = (fs.existsSync(pointsDir) ? fs.readdirSync(pointsDir) : [])
      .map((d) => /^month=(\d{4})(\d{2})$/.exec(d))
      .filter((m) => m !== null)
      .map(([dir, year, month]) => {
        const named = path.join(pointsDir, `month=${year}-${month}`);
        fs.renameSync(path.join(pointsDir, dir), named);
        return {
          month: `${year}-${month}`,
          files: fs
            .readdirSync(named)
            .sort()
            .map((f) => path.join(named, f)),
        };
      })
      .sort((a, b) => a.month.localeCompare(b.month));
    mark('parquet');

    // The k-th accepted row sits after every parse reject that has fewer than k accepted rows before it.
    // Lines the caller marked as not valid UTF-8 (see utf8-lines.ts) carry their bytes escaped after the mark.
    const notUtf8 = sqlString('not valid UTF-8 (declare the source encoding, e.g. latin1, if the file is not UTF-8)');
    const marked = sqlString(INVALID_UTF8_MARK);
    await c.run(`CREATE TEMP TABLE parse_rejects AS
      SELECT row_number, CASE WHEN starts_with(raw, ${marked}) THEN ${notUtf8} ELSE reason END AS reason,
        ltrim(raw, ${marked}) AS raw
      FROM (SELECT line - 1 AS row_number,
          string_agg(CASE WHEN error_type = 'INVALID ENCODING' THEN ${notUtf8}
            ELSE coalesce(column_name || ': ', '') || error_type || ' ' || error_message END, '; ') AS reason,
          -- csv_line may start with the line break before it (CRLF files)
          trim(any_value(CASE WHEN error_type = 'INVALID ENCODING' THEN NULL ELSE csv_line END), chr(13) || chr(10)) AS raw
        FROM reject_errors GROUP BY line)`);
    await c.run(`CREATE TEMP TABLE accepted_before_reject AS
      SELECT row_number - row_number() OVER (ORDER BY row_number) AS accepted_before FROM parse_rejects`);
    await c.run(`CREATE TEMP TABLE rejects AS
      SELECT row_number, reason, raw FROM parse_rejects
      UNION ALL
      SELECT r.rowid + 1 + (SELECT count(*) FROM accepted_before_reject a WHERE a.accepted_before < r.rowid + 1)
        AS row_number, split_part(broken, chr(31), 1) AS reason, broken[strpos(broken, chr(31)) + 1:] AS raw
      FROM staged r WHERE broken IS NOT NULL`);
    const quarantined = await scalar('SELECT count(*) FROM rejects');
    const rejectsPath = path.join(o.outDir, 'rejects.csv');
    if (quarantined > 0)
      await c.run(
        `COPY (SELECT * FROM rejects ORDER BY row_number) TO ${sqlString(rejectsPath)} (HEADER, DELIMITER ',')`,
      );
    mark('rejects');

    const contributionsPath = path.join(o.outDir, 'contributions.ndjson');
    if (converted === 0) {
      // Nothing to total (and no Parquet to read): the caller rejects the file.
      fs.writeFileSync(contributionsPath, '');
      return {
        read: quarantined,
        converted,
        quarantined,
        months,
        rejectsPath: quarantined > 0 ? rejectsPath : null,
        contributionsPath,
        cards: 0,
        pointsSum: 0,
        phasesMs,
      };
    }
    await c.run(`CREATE TEMP TABLE contributions AS
      SELECT card_number, sum(points_delta)::BIGINT AS points, count(*) AS transactions,
        strftime(make_timestamp(epoch_us(max(occurred_at))), '%Y-%m-%dT%H:%M:%S.%gZ') AS "lastActivityAt"
      FROM read_parquet(${sqlString(path.join(pointsDir, '**', '*.parquet'))}) GROUP BY card_number`);
    await c.run(`COPY (
        SELECT card_number::VARCHAR AS "cardNumber", points, transactions, "lastActivityAt"
        FROM contributions ORDER BY card_number
      ) TO ${sqlString(contributionsPath)} (FORMAT json)`);
    const totals = (
      await c.runAndReadAll(`SELECT count(*) AS cards, coalesce(sum(points), 0)::BIGINT AS points FROM contributions`)
    ).getRowObjects()[0]!;
    mark('contributions');
    return {
      read: converted + quarantined,
      converted,
      quarantined,
      months,
      rejectsPath: quarantined > 0 ? rejectsPath : null,
      contributionsPath,
      cards: Number(totals.cards),
      pointsSum: Number(totals.points),
      phasesMs,
    };
  } finally {
    c.closeSync();
    db.closeSync();
    fs.rmSync(spill, { recursive: true, force: true });
  }
}
