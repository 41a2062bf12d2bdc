/**
 * Lake table schemas, their versions and row validation: pure, so the writer (lake/lake-writer.ts), the dead-letter
 * replay and the tests share one rule set.
 *
 * A table's schema is a list of typed columns. Comparing the schema a writer brings with the one in the table's
 * manifest decides its version:
 *   - same columns: same version;
 *   - only new optional columns: same version (old partitions read them as NULL), the columns are recorded;
 *   - a column removed, retyped, newly required, or a different natural key: a breaking change, version + 1.
 */

export type LakeType = 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'DECIMAL(18,2)' | 'BOOLEAN' | 'TIMESTAMP' | 'DATE';

export interface LakeColumn {
  name: string;
  type: LakeType;
  /** A row without it (null, undefined or '') is quarantined, not written. */
  required?: boolean;
}

export interface LakeSchema {
  columns: LakeColumn[];
  naturalKey: string[];
  /** The column whose newest value wins among versions of one natural key. */
  updatedAtField: string;
}

/** A table: where it lives and its schema. */
export interface LakeTableSpec extends LakeSchema {
  source: string;
  entity: string;
}

/** A row's partition: a fixed day (snapshots), or the UTC day of a column that never changes for a key. */
export type PartitionRule = { day: string } | { column: string };

export interface SchemaVersion {
  version: number;
  columns: LakeColumn[];
  naturalKey: string[];
  since: string;
  /** Why this version began (the breaking difference), absent for version 1. */
  change?: string;
}

/** Columns the writer adds to every row; source fields may not use these names. */
export const META_COLUMNS = {
  /** Fields the schema does not name, kept as raw JSON (an object), or NULL. */
  extra: '_extra',
  /** A deletion Shopify (or another source) reported: the tombstone is the key's newest version. */
  deleted: '_deleted',
  schemaVersion: '_schema_version',
  extractedAt: '_extracted_at',
} as const;

const IDENT = /^[a-z][a-z0-9_]*$/;
export function checkIdentifier(kind: string, name: string): void {
  if (!IDENT.test(name)) throw new Error(`lake ${kind} '${name}' must match ${IDENT} (it names S3 keys and SQL views)`);
}

export function checkSchema(schema: LakeSchema): void {
  const names = new Set<string>();
  for (const c of schema.columns) {
    checkIdentifier('column', c.name);
    if (names.has(c.name)) throw new Error(`lake column '${c.name}' declared twice`);
    if (c.name === 'dt') throw new Error(`lake column 'dt' is the partition; it comes from the key, not the row`);
    names.add(c.name);
  }
  for (const k of [...schema.naturalKey, schema.updatedAtField])
    if (!names.has(k)) throw new Error(`lake key column '${k}' is not among the columns`);
  for (const k of schema.naturalKey)
    if (!schema.columns.find((c) => c.name === k)?.required)
      throw new Error(`natural key column '${k}' must be required`);
}

/** The version `schema` gets, given the table's history (oldest first); `added` when a new version is recorded. */
export function resolveSchemaVersion(
  history: readonly SchemaVersion[],
  schema: LakeSchema,
  now: string,
): { version: number; history: SchemaVersion[]; added: boolean } {
  const current = history.at(-1);
  const entry = (version: number, change?: string): SchemaVersion => ({
    version,
    columns: schema.columns.map((c) => ({ ...c })),
    naturalKey: [...schema.naturalKey],
    since: now,
    ...(change ? { change } : {}),
  });
  if (!current) return { version: 1, history: [entry(1)], added: true };
  const breaking = breakingChange(current, schema);
  if (breaking)
    return { version: current.version + 1, history: [...history, entry(current.version + 1, breaking)], added: true };
  const known = new Set(current.columns.map((c) => c.name));
  const added = schema.columns.filter((c) => !known.has(c.name));
  if (!added.length) return { version: current.version, history: [...history], added: false };
  // Additive: same version, the new optional columns recorded on it.
  const updated = { ...current, columns: [...current.columns, ...added.map((c) => ({ ...c }))] };
  return { version: current.version, history: [...history.slice(0, -1), updated], added: true };
}

function breakingChange(current: SchemaVersion, schema: LakeSchema): string | undefined {
  if (current.naturalKey.join(',') !== schema.naturalKey.join(','))
    return `natural key ${current.naturalKey.join(',')} → ${schema.naturalKey.join(',')}`;
  const next = new Map(schema.columns.map((c) => [c.name, c]));
  for (const old of current.columns) {
    const now = next.get(old.name);
    if (!now) return `column ${old.name} removed`;
    if (now.type !== old.type) return `column ${old.name} ${old.type} → ${now.type}`;
    if (now.required && !old.required) return `column ${old.name} became required`;
  }
  const known = new Set(current.columns.map((c) => c.name));
  const newRequired = schema.columns.find((c) => !known.has(c.name) && c.required);
  if (newRequired) return `new required column ${newRequired.name}`;
  return undefined;
}

export type CellValue = string | number | boolean | null;

export interface ValidRow {
  values: Record<string, CellValue>;
  /** Fields the schema does not name, or undefined. */
  extra?: Record<string, unknown>;
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** One cell in the writer's normalized form (timestamps as ISO-8601 UTC), or why it is not a `type`. */
export function normalizeCell(type: LakeType, v: unknown): { value: CellValue } | { problem: string } {
  if (v === null || v === undefined || v === '') return { value: null };
  switch (type) {
    case 'VARCHAR':
      if (typeof v === 'object') return { value: JSON.stringify(v) };
      return { value: String(v) };
    case 'BIGINT':
    case 'INTEGER': {
      const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
      if (!INTEGER.test(s)) return { problem: `not an integer: ${preview(v)}` };
      if (type === 'INTEGER' && Math.abs(Number(s)) > 2 ** 31 - 1) return { problem: `out of INTEGER range: ${s}` };
      return { value: s };
    }
    case 'DOUBLE':
    case 'DECIMAL(18,2)': {
      const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : '';
      if (!(type === 'DOUBLE' ? s !== '' && Number.isFinite(Number(s)) : DECIMAL.test(s)))
        return { problem: `not a number: ${preview(v)}` };
      return { value: s };
    }
    case 'BOOLEAN':
      if (typeof v === 'boolean') return { value: v };
      if (v === 'true' || v === 'false') return { value: v === 'true' };
      return { problem: `not a boolean: ${preview(v)}` };
    case 'TIMESTAMP': {
      if (typeof v === 'string') {
        const utc = canonicalUtc(v);
        if (utc) return { value: utc };
      }
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isNaN(ms)) return { problem: `not a timestamp: ${preview(v)}` };
      return { value: new Date(ms).toISOString() };
    }
    case 'DATE':
      if (typeof v === 'string' && DAY.test(v) && !Number.isNaN(Date.parse(v))) return { value: v };
      return { problem: `not a date (YYYY-MM-DD): ${preview(v)}` };
  }
}

/** Digits `v[at..at+n)` as a number, or -1 when one is not a digit. */
function digits(v: string, at: number, n: number): number {
  let x = 0;
  for (let i = at; i < at + n; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
}
const daysIn = (y: number, m: number) =>
  m === 2
    ? y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
      ? 29
      : 28
    : m === 4 || m === 6 || m === 9 || m === 11
      ? 30
      : 31;

/**
 * The fast path of a UTC timestamp in the shapes Shopify and Lightspeed send, `YYYY-MM-DDTHH:MM:SS[.sss]` then `Z`
 * or `+00:00`: read character by character and range-checked, so a page of 100,000 lines doesn't pay for a Date
 * round trip (and a regex) per cell. Anything else (other offsets, fractions not of 3 digits, an impossible day)
 * returns undefined and takes the Date path, which gives the same result for every string accepted here.
 */
function canonicalUtc(v: string): string | undefined {
  const n = v.length;
  if (n < 20 || v[4] !== '-' || v[7] !== '-' || v[10] !== 'T' || v[13] !== ':' || v[16] !== ':') return undefined;
  const y = digits(v, 0, 4);
  const mo = digits(v, 5, 2);
  const d = digits(v, 8, 2);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return undefined;
  const h = digits(v, 11, 2);
  const mi = digits(v, 14, 2);
  const s = digits(v, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  let at = 19;
  const millis = v[19] === '.';
  if (millis) {
    if (digits(v, 20, 3) < 0) return undefined;
    at = 23;
  }
  const zone = v.slice(at);
  if (zone !== 'Z' && zone !== '+00:00') return undefined;
  if (millis && zone === 'Z') return v;
  return `${v.slice(0, 19)}${millis ? v.slice(19, 23) : '.000'}Z`;
}

const preview = (v: unknown) => JSON.stringify(v)?.slice(0, 60) ?? String(v);

const knownSets = new WeakMap<readonly LakeColumn[], Set<string>>();
/** The column names of a schema, built once per column list (validateRow runs per row). */
function knownColumns(columns: readonly LakeColumn[]): Set<string> {
  let known = knownSets.get(columns);
  if (!known) knownSets.set(columns, (known = new Set(columns.map((c) => c.name))));
  return known;
}

/**
 * Checks one source row against the schema: every column normalized, a missing required field or an unreadable
 * value is a reason to quarantine the row; fields the schema does not name are kept aside (`extra`). Field names
 * starting with `_` are the writer's own: `_deleted` is honoured, others are ignored.
 */
export function validateRow(
  schema: LakeSchema,
  row: Record<string, unknown>,
): { ok: true; row: ValidRow } | { ok: false; reasons: string[] } {
  const values: Record<string, CellValue> = {};
  let reasons: string[] | undefined;
  const columns = schema.columns;
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i]!;
    const cell = normalizeCell(c.type, row[c.name]);
    if ('problem' in cell) (reasons ??= []).push(`${c.name}: ${cell.problem}`);
    else if (cell.value === null && c.required) (reasons ??= []).push(`${c.name}: required field missing`);
    else values[c.name] = cell.value;
  }
  if (reasons) return { ok: false, reasons };
  const known = knownColumns(columns);
  let extra: Record<string, unknown> | undefined;
  for (const k in row) {
    if (known.has(k) || k.charCodeAt(0) === 95 /* _ */ || !Object.hasOwn(row, k)) continue;
    const v = row[k];
    if (v !== undefined) (extra ??= {})[k] = v;
  }
  return { ok: true, row: { values, extra } };
}

/** `2026-03-04T…` → `2026-03-04` (UTC), the partition of a timestamp. */
export function utcDay(value: string | Date): string {
  if (typeof value === 'string') {
    const utc = canonicalUtc(value);
    if (utc) return utc.slice(0, 10);
  }
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${String(value)}`);
  return new Date(ms).toISOString().slice(0, 10);
}
