/**
 * A set of integer ids stored compactly: sorted, disjoint, non-adjacent inclusive ranges `[[from, to], ...]`. A day of
 * a ledger whose ids are mostly consecutive takes a handful of ranges, however many rows it has.
 */
export type IdRanges = [number, number][];

/** Adds `id` to ranges built in ascending id order (extending the last range when adjacent). */
export function appendId(ranges: IdRanges, id: number): void {
  const last = ranges[ranges.length - 1];
  if (last && id <= last[1]) throw new Error(`ids must be appended in ascending order: ${id} after ${last[1]}`);
  if (last && id === last[1] + 1) last[1] = id;
  else ranges.push([id, id]);
}

/** The union of range sets, normalised (overlapping and adjacent ranges joined). */
export function mergeRanges(...sets: IdRanges[]): IdRanges {
  const all = sets.flat().sort((a, b) => a[0] - b[0]);
  const out: IdRanges = [];
  for (const [from, to] of all) {
    const last = out[out.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** Whether `id` is in the (normalised) ranges: a binary search. */
export function containsId(ranges: IdRanges, id: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = ranges[mid]!;
    if (id < from) hi = mid - 1;
    else if (id > to) lo = mid + 1;
    else return true;
  }
  return false;
}

/** How many ids the ranges hold. */
export const countIds = (ranges: IdRanges) => ranges.reduce((n, [from, to]) => n + to - from + 1, 0);
