/**
 * The part of Shopify's search syntax (`query:` argument) the sandbox understands: space- or AND-separated
 * terms `field:value`, `field:>value`, `field:>='value'`, optionally negated with `-`. Dates compare as
 * instants; other fields compare case-insensitively. Unknown fields are ignored, as Shopify ignores them.
 */
export type Accessor<T> = (item: T) => string | number | null | undefined | (string | null)[];

const TERM = /(-)?([a-z_]+):(>=|<=|>|<)?(?:'([^']*)'|"([^"]*)"|([^\s)]+))/gi;

export function searchFilter<T>(
  query: string | null | undefined,
  fields: Record<string, Accessor<T>>,
): (item: T) => boolean {
  const terms = [...(query ?? '').matchAll(TERM)].flatMap(([, neg, field, op, q1, q2, bare]) => {
    const get = fields[field!.toLowerCase()];
    return get
      ? [{ neg: Boolean(neg), get, op: op ?? ':', raw: q1 ?? q2 ?? bare ?? '', field: field!.toLowerCase() }]
      : [];
  });
  if (!terms.length) return () => true;
  return (item) =>
    terms.every((t) => {
      const ok = matches(t.get(item), t.op, t.raw, t.field.endsWith('_at'));
      return t.neg ? !ok : ok;
    });
}

function matches(value: ReturnType<Accessor<unknown>>, op: string, raw: string, isDate: boolean): boolean {
  if (Array.isArray(value)) return value.some((v) => matches(v, op, raw, isDate));
  if (value == null) return false;
  if (isDate) {
    const t = Date.parse(raw);
    const v = Date.parse(String(value));
    if (Number.isNaN(t)) return false;
    // A bare date (no time) equals the whole day, as in Shopify's `created_at:2026-01-01`.
    if (op === ':') return /^\d{4}-\d{2}-\d{2}$/.test(raw) ? String(value).slice(0, 10) === raw : v === t;
    return compare(v - t, op);
  }
  if (typeof value === 'number' && op !== ':') return compare(value - Number(raw), op);
  const v = String(value).toLowerCase();
  const r = raw.toLowerCase();
  if (op === ':') return r.endsWith('*') ? v.startsWith(r.slice(0, -1)) : v === r;
  return compare(v.localeCompare(r), op);
}

function compare(diff: number, op: string): boolean {
  if (op === '>') return diff > 0;
  if (op === '>=') return diff >= 0;
  if (op === '<') return diff < 0;
  return diff <= 0;
}
