import { describe, expect, it } from 'vitest';
import { normalizeCell, utcDay, validateRow } from '../../../domain/extraction/lake-schema';

/** The writer's old rule for a timestamp cell: a Date round trip. The fast path must agree with it everywhere. */
const viaDate = (v: string) => {
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? 'problem' : new Date(ms).toISOString();
};
const cell = (v: string) => {
  const r = normalizeCell('TIMESTAMP', v);
  return 'problem' in r ? 'problem' : r.value;
};

describe('lake schema: timestamp cells', () => {
  it('normalizes the shapes sources send exactly as a Date round trip does, impossible days included', () => {
    const samples = [
      '2026-11-30T10:00:00Z',
      '2026-11-30T10:00:00.123Z',
      '2026-11-30T10:00:00+00:00',
      '2026-11-30T10:00:00.5Z',
      '2026-11-30T10:00:00.1234Z',
      '2026-11-30T10:00:00.123+00:00',
      '2026-11-30T10:00:00.123+01:00',
      '0001-01-01T00:00:00Z',
      '2026-1a-30T10:00:00Z',
      '2026-11-30T10:00:00-05:00',
      '2026-11-30T23:59:59.999+00:00',
      '2024-02-29T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-02-30T12:00:00Z',
      '2100-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-12-31T24:00:00Z',
      '2026-12-31T23:60:00Z',
      '2026-12-31T23:59:60Z',
      '2026-00-10T00:00:00Z',
      '2026-11-30',
      '2026-11-30 10:00:00',
      'yesterday',
    ];
    for (const s of samples) expect(cell(s), s).toBe(viaDate(s));
    for (const s of samples.filter((x) => viaDate(x) !== 'problem')) expect(utcDay(s), s).toBe(viaDate(s).slice(0, 10));
  });

  it('validateRow keeps unknown fields aside and ignores the writer’s own names', () => {
    const schema = {
      columns: [
        { name: 'id', type: 'BIGINT' as const, required: true },
        { name: 'at', type: 'TIMESTAMP' as const, required: true },
      ],
      naturalKey: ['id'],
      updatedAtField: 'at',
    };
    expect(validateRow(schema, { id: '1', at: '2026-01-01T00:00:00Z', tier: 'gold', _seq: 3 })).toEqual({
      ok: true,
      row: { values: { id: '1', at: '2026-01-01T00:00:00.000Z' }, extra: { tier: 'gold' } },
    });
    expect(validateRow(schema, { id: '2', at: '2026-02-30T00:00:00Z' })).toEqual({
      ok: true,
      row: { values: { id: '2', at: '2026-03-02T00:00:00.000Z' }, extra: undefined },
    });
  });
});
