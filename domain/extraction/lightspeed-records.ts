/** A list or relation in an R-Series reply holds one record as an object and several as an array; absent = none. */
export function asList<T = Record<string, unknown>>(v: unknown): T[] {
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]) as T[];
}

type Rec = Record<string, unknown>;

/**
 * A lake row from an API record: `map` names each lake column's source field; fields listed in `ignored` are
 * dropped; any other field of the record is passed on, so the lake writer keeps it in `_extra` and reports it once.
 * Nested relations (objects) are never passed on.
 */
export function mapRecord(
  rec: Rec,
  map: Record<string, string>,
  ignored: ReadonlySet<string>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const used = new Set(Object.values(map));
  for (const [col, field] of Object.entries(map)) out[col] = rec[field];
  for (const [k, v] of Object.entries(rec))
    if (!used.has(k) && !ignored.has(k) && (typeof v !== 'object' || v === null) && !(k in out)) out[k] = v;
  return { ...out, ...extra };
}
