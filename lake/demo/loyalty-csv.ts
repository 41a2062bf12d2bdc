import { rng } from '../../db/seed/random';
import { LOYALTY_COLUMNS } from '../../domain/loyalty/loyalty';

export interface LoyaltyCsvOptions {
  rows: number;
  seed?: number;
  /** Distinct cards the transactions spread over (default 10,000). */
  cards?: number;
  /** Share of invalid rows (default 0.1 %). */
  badRate?: number;
  storeCodes?: readonly string[];
  firstTransactionId?: number;
}

export interface LoyaltyCsvExpectation {
  rows: number;
  bad: number;
  /** File row numbers (1 = first row after the header) of the invalid rows. */
  badRows: number[];
  /** Sum of points over the valid rows, for read-back checks. */
  pointsSum: number;
}

const REASONS = ['purchase', 'purchase', 'purchase', 'redemption', 'bonus', 'adjustment'];

/**
 * A deterministic loyalty-points export (seeded): transactions over three months of 2024, mostly UTC `Z`
 * timestamps with some in local store time (no offset), and a sprinkling of invalid rows. `expect` is filled in
 * when the generator is exhausted.
 */
export function* loyaltyCsv(
  options: LoyaltyCsvOptions,
  expect: Partial<LoyaltyCsvExpectation> = {},
): Generator<string> {
  const r = rng(options.seed ?? 5);
  const stores = options.storeCodes ?? ['EMERALD', 'C', 'SUNSET', 'OISTINS'];
  const cards = options.cards ?? 10_000;
  const firstId = options.firstTransactionId ?? 1;
  const badRows: number[] = [];
  let pointsSum = 0;
  yield `${LOYALTY_COLUMNS.join(',')}\n`;
  let batch = '';
  for (let n = 0; n < options.rows; n++) {
    const reason = r.pick(REASONS);
    const points = reason === 'redemption' ? -r.int(1, 500) : r.int(1, 200);
    const month = r.int(1, 3);
    const ts = `2024-0${month}-${pad(r.int(1, 28))}${r.chance(0.1) ? ' ' : 'T'}${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}`;
    const fields = [
      String(firstId + n),
      String(600_000_000_000 + r.int(1, cards)),
      r.pick(stores),
      String(points),
      reason,
      ts.includes(' ') ? ts : `${ts}Z`,
    ];
    if (r.chance(options.badRate ?? 0.001)) {
      badRows.push(n + 1);
      const kind = r.int(0, 4);
      if (kind === 0) fields[1] = 'ABC';
      else if (kind === 1) fields[2] = 'ATLANTIS';
      else if (kind === 2) fields[3] = '12.5';
      else if (kind === 3) fields[5] = '2024-13-01T00:00:00Z';
      else fields[0] = '';
    } else pointsSum += points;
    batch += `${fields.join(',')}\n`;
    if (batch.length > 256_000) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
  Object.assign(expect, { rows: options.rows, bad: badRows.length, badRows, pointsSum });
}

const pad = (n: number) => String(n).padStart(2, '0');
