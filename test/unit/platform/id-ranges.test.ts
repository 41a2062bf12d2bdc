import { describe, expect, it } from 'vitest';
import { appendId, containsId, countIds, mergeRanges, type IdRanges } from '../../../domain/platform/id-ranges';

describe('id ranges (the loyalty export manifest stores exported ids this way)', () => {
  it('appending ascending ids extends consecutive runs and starts a range at each gap', () => {
    const r: IdRanges = [];
    for (const id of [1, 2, 3, 7, 8, 10]) appendId(r, id);
    expect(r).toEqual([
      [1, 3],
      [7, 8],
      [10, 10],
    ]);
    expect(countIds(r)).toBe(6);
    expect(() => appendId(r, 10)).toThrow(/ascending/);
    expect(() => appendId(r, 4)).toThrow(/ascending/);
  });

  it('merging joins overlapping and adjacent ranges, whatever the order of the sets', () => {
    expect(
      mergeRanges(
        [
          [10, 12],
          [20, 25],
        ],
        [
          [1, 4],
          [5, 9],
        ],
        [[24, 30]],
        [[40, 40]],
      ),
    ).toEqual([
      [1, 12],
      [20, 30],
      [40, 40],
    ]);
    expect(mergeRanges()).toEqual([]);
    // The inputs are left as they were (the manifest's parts keep their own ranges).
    const part: IdRanges = [[1, 2]];
    mergeRanges(part, [[3, 4]]);
    expect(part).toEqual([[1, 2]]);
  });

  it('contains finds ids inside ranges and at their ends, not in gaps or outside', () => {
    const r: IdRanges = [
      [1, 3],
      [7, 8],
      [10, 10],
      [1000, 2199],
    ];
    for (const id of [1, 2, 3, 7, 8, 10, 1000, 1500, 2199]) expect(containsId(r, id)).toBe(true);
    for (const id of [0, 4, 6, 9, 11, 999, 2200]) expect(containsId(r, id)).toBe(false);
    expect(containsId([], 1)).toBe(false);
  });
});
