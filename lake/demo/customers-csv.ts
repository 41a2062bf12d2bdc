import { rng } from '../../db/seed/random';
import { CUSTOMER_COLUMNS } from '../../domain/customers/customers';
import { csvLine } from '../csv-text';

export interface CustomersCsvOptions {
  rows: number;
  seed?: number;
  /** Share of rows that are invalid in one of several ways (default 1 %). */
  badRate?: number;
  /** Share of rows that repeat an earlier customer with a different `updated_at` (default 2 %). */
  duplicateRate?: number;
  /** Store codes that `home_store` draws from (the demo stores by default). */
  storeCodes?: readonly string[];
  /** Customer ids start here, so two files can describe different populations. */
  firstId?: number;
}

/** What a generated file must import as: every bad row quarantined, every distinct good customer stored once. */
export interface CustomersCsvExpectation {
  rows: number;
  bad: number;
  distinctCustomers: number;
}

const FIRST = ['Aaliyah', 'Brandon', 'Chloe', 'Dwayne', 'Ebony', 'Fabian', 'Gillian', 'Hakeem', 'Ines', 'Jamal'];
const LAST = ['Alleyne', 'Best', 'Clarke', 'Downes', 'Eastmond', 'Forde', 'Griffith', 'Harewood', 'Ince', 'Jordan'];
const BAD_KINDS = ['no-card', 'email', 'phone', 'store', 'date', 'fields', 'no-id'] as const;

/**
 * A deterministic customer export (seeded), as CSV text chunks: UTF-8 BOM, CRLF, quoted names with commas,
 * columns in a shuffled order, a sprinkling of invalid rows and of repeated customers. `expect` is filled in
 * once the generator is exhausted.
 */
export function* customersCsv(
  options: CustomersCsvOptions,
  expect: Partial<CustomersCsvExpectation> = {},
): Generator<string> {
  const r = rng(options.seed ?? 7);
  const stores = options.storeCodes ?? ['EMERALD', 'C', 'SUNSET', 'OISTINS'];
  const firstId = options.firstId ?? 1;
  const order: string[] = [...CUSTOMER_COLUMNS].sort(() => r.next() - 0.5);
  const seen: number[] = [];
  const good = new Set<number>();
  let bad = 0;
  yield `\ufeff${csvLine(order)}`;
  let batch = '';
  for (let n = 0; n < options.rows; n++) {
    const repeat = seen.length > 0 && r.chance(options.duplicateRate ?? 0.02);
    const id = repeat ? r.pick(seen) : firstId + n;
    if (!repeat) {
      if (seen.length < 100_000) seen.push(id);
      else seen[r.int(0, seen.length - 1)] = id;
    }
    const row: Record<string, string> = {
      customer_id: `C${String(id).padStart(8, '0')}`,
      loyalty_card: String(600_000_000_000 + id),
      first_name: r.pick(FIRST),
      last_name: r.chance(0.05) ? `${r.pick(LAST)}, Jr.` : r.pick(LAST),
      email: `${r.pick(FIRST).toLowerCase()}.${id}@Example.BB`,
      phone: r.pick([
        `${r.int(230, 439)}-${r.int(1000, 9999)}`,
        `(246) ${r.int(230, 439)}-${r.int(1000, 9999)}`,
        `+1 246 ${r.int(230, 439)} ${r.int(1000, 9999)}`,
      ]),
      birth_date: `19${r.int(40, 99)}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}`,
      home_store: r.pick(stores),
      created_at: `2020-0${r.int(1, 9)}-1${r.int(0, 9)} 09:${pad(r.int(0, 59))}:00`,
      updated_at: `2024-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}T${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}Z`,
    };
    let fields = order.map((c) => row[c]!);
    if (r.chance(options.badRate ?? 0.01)) {
      bad++;
      const kind = r.pick(BAD_KINDS);
      if (kind === 'fields') fields = fields.slice(0, -2);
      else {
        const [col, value] = {
          'no-card': ['loyalty_card', ''],
          email: ['email', 'not-an-email@'],
          phone: ['phone', '12'],
          store: ['home_store', 'ATLANTIS'],
          date: ['updated_at', '2024-02-30T10:00:00Z'],
          'no-id': ['customer_id', ''],
        }[kind];
        fields[order.indexOf(col!)] = value!;
      }
    } else good.add(id);
    batch += csvLine(fields);
    if (batch.length > 64_000) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
  Object.assign(expect, { rows: options.rows, bad, distinctCustomers: good.size });
}

const pad = (n: number) => String(n).padStart(2, '0');
