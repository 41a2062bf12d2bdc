import { describe, expect, it } from 'vitest';
import { populationLabel } from '../../../domain/catalog/run-summaries';
import { byteSize, count, oneLine, runSummary, thousands, timeWindow } from '../../../domain/platform/run-summary';

describe('run summaries (what the Temporal UI lists)', () => {
  it('formats counts, sizes and windows the same in every runtime', () => {
    expect(thousands(12_400)).toBe('12,400');
    expect(thousands(999)).toBe('999');
    expect(count(1, 'product')).toBe('1 product');
    expect(count(12_400, 'product')).toBe('12,400 products');
    expect(byteSize(532)).toBe('532 B');
    expect(byteSize(1_300_000)).toBe('1.2 MB');
    expect(timeWindow('2026-11-30T08:00:00Z', '2026-11-30T08:05:00Z')).toBe('08:00–08:05');
    expect(timeWindow('2026-11-30T23:55:00Z', '2026-12-01T00:05:00Z')).toBe('2026-11-30 23:55 → 2026-12-01 00:05');
  });

  it('keeps a summary on one line and under the server limit of 400 bytes, cutting on a character boundary', () => {
    expect(oneLine('backfill\n  spring-produce ')).toBe('backfill spring-produce');
    const long = oneLine('é'.repeat(400));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(300);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toContain('\uFFFD');
  });

  it('joins the parts that are set and lists the set details as Markdown', () => {
    expect(
      runSummary(['backfill spring', false, undefined, populationLabel({ subDepartment: 'FRUIT', storeCode: 'C' })]),
    ).toEqual({
      staticSummary: 'backfill spring · sub-department FRUIT · store C',
    });
    expect(runSummary(['x'], { product: 1999, empty: '', none: undefined }).staticDetails).toBe('- **product**: 1999');
    expect(populationLabel({})).toBe('whole catalogue');
  });
});
