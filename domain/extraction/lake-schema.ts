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
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : NaN;
      if (Number.isNaN(ms)) return { problem: `not a timestamp: ${preview(v)}` };
      return { value: new Date(ms).toISOString() };
    }
    case 'DATE':
      if (typeof v === 'string' && DAY.test(v) && !Number.isNaN(Date.parse(v))) return { value: v };
      return { problem: `not a date (YYYY-MM-DD): ${preview(v)}` };
  }
}

const preview = (v: unknown) => JSON.stringify(v)?.slice(0, 60) ?? String(v);

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
  const reasons: string[] = [];
  for (const c of schema.columns) {
    const cell = normalizeCell(c.type, row[c.name]);
    if ('problem' in cell) reasons.push(`${c.name}: ${cell.problem}`);
    else if (cell.value === null && c.required) reasons.push(`${c.name}: required field missing`);
    else values[c.name] = cell.value;
  }
  if (reasons.length) return { ok: false, reasons };
  const known = new Set(schema.columns.map((c) => c.name));
  let extra: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(row))
    if (!known.has(k) && !k.startsWith('_') && v !== undefined) (extra ??= {})[k] = v;
  return { ok: true, row: { values, extra } };
}

/** `2026-03-04T…` → `2026-03-04` (UTC), the partition of a timestamp. */
export function utcDay(value: string | Date): string {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not a timestamp: ${String(value)}`);
  return new Date(ms).toISOString().slice(0, 10);
}
