import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BARBADOS_OFFSET } from '../domain/dates';
import { CARD_NUMBER_RANGE, LOYALTY_COLUMNS, LOYALTY_REASONS, type LoyaltyCounts } from '../domain/loyalty';

export interface ConvertOptions {
  csvPath: string;
  /** Work directory: `points/month=YYYY-MM/*.parquet`, `rejects.csv`, `contributions.ndjson` are written here. */
  outDir: string;
  storeCodes: readonly string[];
  /** DuckDB spills to disk beyond this; keeps the worker's RSS bounded on 10M-row files. */
  memoryLimit?: string;
  threads?: number;
  /** UTC offset of local store time, for timestamps written without one (Barbados: -04:00, no DST). */
  localOffset?: string;
}

export interface ConvertResult extends LoyaltyCounts {
  months: { month: string; files: string[] }[];
  rejectsPath: string | null;
  contributionsPath: string;
  cards: number;
  pointsSum: number;
  /** Where the time went: parquet (the validated COPY), ruleScan, rejects, contributions. */
  phasesMs: Record<string, number>;
}

/** True when a timestamp string ends in `Z` or a numeric offset (`+01:00`, `-0400`, `+01`); date-only has none. */
const hasOffset = (col: string) =>
  `(right(${col}, 1) IN ('Z', 'z') OR (length(${col}) > 10 AND (substr(${col}, -6, 1) IN ('+', '-') OR ` +
  `substr(${col}, -5, 1) IN ('+', '-') OR substr(${col}, -3, 1) IN ('+', '-'))))`;
/** `-04:00` → -240. */
function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
  if (!m) throw new Error(`bad UTC offset ${offset}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlList = (items: readonly string[]) => items.map(sqlString).join(', ');

/**
 * Validates a loyalty CSV and writes it as typed Parquet partitioned by month, all inside DuckDB:
 * transaction_id/card_number BIGINT, store_code and reason ENUM (dictionary-encoded), points_delta INTEGER,
 * occurred_at TIMESTAMPTZ (UTC-adjusted), zstd. Rows DuckDB's typed reader refuses land in its rejects table
 * with their line; rows that parse but break a rule are found by a second, numbered scan of only the checks.
 * Also writes each card's totals (the balances step's input) and every rejected row with number and reason.
 */
export async function convertLoyaltyCsv(o: ConvertOptions): Promise<ConvertResult> {
  fs.mkdirSync(o.outDir, { recursive: true });
  const offset = o.localOffset ?? BARBADOS_OFFSET;
  const spill = path.join(o.outDir, 'spill');
  const db = await DuckDBInstance.create(':memory:', {
    threads: String(o.threads ?? 2),
    memory_limit: o.memoryLimit ?? '256MB',
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
    // UTC session, and local times given their fixed offset as text: ICU time-zone arithmetic per row cost more
    // than the whole Parquet write (Barbados keeps -04:00 all year, so a fixed offset is exact).
    await c.run(`SET TimeZone = 'UTC'`);
    await c.run(`CREATE TYPE store_code AS ENUM (${sqlList(o.storeCodes.map((s) => s.toUpperCase()))})`);
    await c.run(`CREATE TYPE reason AS ENUM (${sqlList(LOYALTY_REASONS)})`);
    // Types the reader enforces itself (fast, parallel); points and timestamps stay text because the reader would
    // round `12.5` and null a `2024-13-01` silently, and both must be rejected with a reason instead.
    const columns = `{'transaction_id': 'BIGINT', 'card_number': 'BIGINT', 'store_code': 'store_code',
      'points_delta': 'VARCHAR', 'reason': 'reason', 'occurred_at': 'VARCHAR'}`;
    const source = `read_csv(${sqlString(o.csvPath)}, header = true, auto_detect = false, delim = ',', quote = '"',
      escape = '"', columns = ${columns}, ignore_errors = true, store_rejects = true,
      force_not_null = [${sqlList(LOYALTY_COLUMNS)}])`;
    const checked = `SELECT transaction_id, card_number, store_code, reason, points_delta AS points_text,
      occurred_at AS occurred_text, TRY_CAST(points_delta AS INTEGER) AS points,
      CASE WHEN ${hasOffset('occurred_at')} THEN TRY_CAST(occurred_at AS TIMESTAMPTZ)
        ELSE CAST(TRY_CAST(occurred_at AS TIMESTAMP) + INTERVAL (${-offsetMinutes(offset)}) MINUTE AS TIMESTAMPTZ) END
        AS occurred FROM ${source}`;
    const rules = [
      [`transaction_id > 0`, 'transaction_id must be positive'],
      [`card_number BETWEEN ${CARD_NUMBER_RANGE.min} AND ${CARD_NUMBER_RANGE.max}`, 'card_number must be 8-18 digits'],
      [`points IS NOT NULL AND NOT regexp_matches(points_text, '[.eE]')`, 'points_delta must be a 32-bit integer'],
      [`occurred IS NOT NULL`, 'occurred_at not a timestamp'],
    ] as const;
    const valid = rules.map(([rule]) => `coalesce(${rule}, false)`).join(' AND ');

    const pointsDir = path.join(o.outDir, 'points');
    const converted = await scalar(`COPY (
        SELECT transaction_id, card_number, store_code, points AS points_delta, reason, occurred AS occurred_at,
          strftime(make_timestamp(epoch_us(occurred)), '%Y-%m') AS month
        FROM (${checked}) WHERE ${valid}
      ) TO ${sqlString(pointsDir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), OVERWRITE_OR_IGNORE,
        FILENAME_PATTERN 'part-{i}')`);

    mark('parquet');
    // Rule breakers: numbered among the rows the reader accepted, then mapped back to file rows past the rejects.
    await c.run(`CREATE TEMP TABLE parse_rejects AS
      SELECT line - 1 AS row_number, string_agg(coalesce(column_name || ': ', '') || error_type || ' ' || error_message, '; ') AS reason,
        any_value(csv_line) AS raw
      FROM reject_errors GROUP BY line`);
    await c.run(`CREATE TEMP TABLE rule_rejects AS
      SELECT accepted_number, concat_ws('; ', ${rules.map(([rule, why]) => `CASE WHEN NOT coalesce(${rule}, false) THEN ${sqlString(why)} END`).join(', ')}) AS reason,
        concat_ws(',', transaction_id, card_number, store_code, points_text, reason, occurred_text) AS raw
      FROM (SELECT row_number() OVER () AS accepted_number, * FROM (${checked})) WHERE NOT (${valid})`);
    mark('ruleScan');
    // The k-th accepted row sits after every parse reject that has fewer than k accepted rows before it.
    await c.run(`CREATE TEMP TABLE accepted_before_reject AS
      SELECT row_number - row_number() OVER (ORDER BY row_number) AS accepted_before FROM parse_rejects`);
    await c.run(`CREATE TEMP TABLE rejects AS
      SELECT row_number, reason, raw FROM parse_rejects
      UNION ALL
      SELECT accepted_number + (SELECT count(*) FROM accepted_before_reject a WHERE a.accepted_before < r.accepted_number)
        AS row_number, reason, raw
      FROM rule_rejects r`);
    const quarantined = await scalar('SELECT count(*) FROM rejects');
    const rejectsPath = path.join(o.outDir, 'rejects.csv');
    if (quarantined > 0)
      await c.run(
        `COPY (SELECT * FROM rejects ORDER BY row_number) TO ${sqlString(rejectsPath)} (HEADER, DELIMITER ',')`,
      );

    mark('rejects');
    const contributionsPath = path.join(o.outDir, 'contributions.ndjson');
    const parquetGlob = sqlString(path.join(pointsDir, '**', '*.parquet'));
    await c.run(`COPY (
        SELECT card_number::VARCHAR AS "cardNumber", sum(points_delta)::BIGINT AS points, count(*) AS transactions,
          strftime(timezone('UTC', max(occurred_at)), '%Y-%m-%dT%H:%M:%S.%gZ') AS "lastActivityAt"
        FROM read_parquet(${parquetGlob}) GROUP BY card_number ORDER BY card_number
      ) TO ${sqlString(contributionsPath)} (FORMAT json)`);
    const totals = (
      await c.runAndReadAll(
        `SELECT count(DISTINCT card_number) AS cards, coalesce(sum(points_delta), 0)::BIGINT AS points FROM read_parquet(${parquetGlob})`,
      )
    ).getRowObjects()[0]!;

    mark('contributions');
    const months = fs.existsSync(pointsDir)
      ? fs
          .readdirSync(pointsDir)
          .filter((d) => d.startsWith('month='))
          .sort()
          .map((d) => ({
            month: d.slice('month='.length),
            files: fs
              .readdirSync(path.join(pointsDir, d))
              .sort()
              .map((f) => path.join(pointsDir, d, f)),
          }))
      : [];
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
