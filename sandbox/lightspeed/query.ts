/**
 * Query parameters of the V3 API (developers.lightspeedhq.com/retail/introduction/parameters/): a filter is
 * `field=value` or `field=OP,value[,value]` with the operators below; `limit` is at most 100; `load_relations` is a
 * JSON array of relation names (or "all"); paging is by the opaque `after` cursor named in `@attributes.next`.
 */
export type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=' | '><' | '~' | '!~' | 'IN';
const OPERATORS: Operator[] = ['!=', '<=', '>=', '><', '!~', '=', '<', '>', '~', 'IN'];

export interface Filter {
  field: string;
  op: Operator;
  values: string[];
}

/** Thrown for a request Lightspeed would refuse with 400; `message` is what the reply says. */
export class BadRequest extends Error {}

const RESERVED = new Set(['limit', 'after', 'before', 'offset', 'load_relations', 'sort', 'orderby', 'orderby_desc']);

export function parseFilters(params: URLSearchParams, fields: readonly string[]): Filter[] {
  const out: Filter[] = [];
  for (const [field, raw] of params) {
    if (RESERVED.has(field)) continue;
    if (!fields.includes(field)) throw new BadRequest(`Invalid field for query: ${field}`);
    const comma = raw.indexOf(',');
    const head = comma < 0 ? '' : raw.slice(0, comma);
    const op = OPERATORS.find((o) => o === head);
    if (!op) {
      out.push({ field, op: '=', values: [raw] });
      continue;
    }
    const rest = raw.slice(comma + 1);
    let values: string[];
    if (op === 'IN') {
      try {
        values = (JSON.parse(rest) as unknown[]).map(String);
      } catch {
        throw new BadRequest(`IN expects a JSON array, e.g. IN,[1,2]: ${field}`);
      }
    } else values = op === '><' ? rest.split(',') : [rest];
    if (op === '><' && values.length !== 2) throw new BadRequest(`>< expects two values: ${field}`);
    out.push({ field, op, values });
  }
  return out;
}

/** Compares as numbers for ids and amounts, as instants for `*Time`/`timeStamp`, else as text. */
function comparable(field: string, v: string): number | string {
  if (/time|stamp/i.test(field)) {
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw new BadRequest(`Invalid date for ${field}: ${v}`);
    return t;
  }
  const n = Number(v);
  return v !== '' && Number.isFinite(n) ? n : v;
}

export function matches(f: Filter, actual: number | string | boolean): boolean {
  const a = typeof actual === 'boolean' ? String(actual) : actual;
  const vals = f.values.map((v) => (typeof a === 'number' ? comparable(f.field, v) : v));
  const [v0, v1] = vals as [number | string, number | string];
  switch (f.op) {
    case '=':
      return a === v0;
    case '!=':
      return a !== v0;
    case '<':
      return a < v0;
    case '>':
      return a > v0;
    case '<=':
      return a <= v0;
    case '>=':
      return a >= v0;
    case '><':
      return a >= v0 && a <= v1;
    case 'IN':
      return vals.includes(a);
    case '~':
    case '!~': {
      const re = new RegExp(
        `^${String(v0)
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/%/g, '.*')}$`,
        'i',
      );
      return re.test(String(a)) === (f.op === '~');
    }
  }
}

/** Inclusive bounds a filter puts on a time field (for a range scan before the exact test). */
export function timeBounds(filters: Filter[], field: string): { lo: number; hi: number } {
  let lo = -Infinity;
  let hi = Infinity;
  for (const f of filters.filter((x) => x.field === field)) {
    const v = f.values.map((x) => comparable(field, x) as number);
    if (f.op === '>' || f.op === '>=') lo = Math.max(lo, v[0]!);
    if (f.op === '<' || f.op === '<=') hi = Math.min(hi, v[0]!);
    if (f.op === '=') [lo, hi] = [Math.max(lo, v[0]!), Math.min(hi, v[0]!)];
    if (f.op === '><') [lo, hi] = [Math.max(lo, v[0]!), Math.min(hi, v[1]!)];
  }
  return { lo, hi };
}

export function parseLimit(params: URLSearchParams): number {
  const raw = params.get('limit');
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new BadRequest('limit must be an integer from 1 to 100');
  return n;
}

export function parseRelations(params: URLSearchParams, allowed: readonly string[]): Set<string> {
  const raw = params.get('load_relations');
  if (!raw) return new Set();
  if (raw === 'all') return new Set(allowed);
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new BadRequest('load_relations must be a JSON array of relation names, e.g. ["SaleLines"]');
  }
  if (!Array.isArray(list)) throw new BadRequest('load_relations must be a JSON array');
  for (const r of list) if (!allowed.includes(String(r))) throw new BadRequest(`Invalid relation: ${String(r)}`);
  return new Set(list.map(String));
}

export const encodeCursor = (key: number) => Buffer.from(JSON.stringify({ k: key })).toString('base64url');
export function decodeCursor(raw: string | null): number {
  if (!raw) return 0;
  try {
    const k = (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { k: unknown }).k;
    if (typeof k === 'number') return k;
  } catch {
    /* fall through */
  }
  throw new BadRequest('Invalid after cursor');
}
