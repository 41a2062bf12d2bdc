/** A row that survived validation, with its 1-based data row number in the file. */
export interface NumberedProfile<P extends { customerId: string; updatedAt: string }> {
  rowNumber: number;
  profile: P;
}

/**
 * Keeps the newest row per customer within a chunk; the rest are superseded (counted as skipped-older).
 * On equal `updatedAt` the earlier row wins, matching the conditional write (`updatedAt < :new`) that
 * would refuse the later one too, so the outcome does not depend on chunk boundaries.
 */
export function newestPerCustomer<P extends { customerId: string; updatedAt: string }>(
  rows: readonly NumberedProfile<P>[],
): { winners: NumberedProfile<P>[]; superseded: NumberedProfile<P>[] } {
  const best = new Map<string, NumberedProfile<P>>();
  const superseded: NumberedProfile<P>[] = [];
  for (const row of rows) {
    const current = best.get(row.profile.customerId);
    if (!current) best.set(row.profile.customerId, row);
    else if (row.profile.updatedAt > current.profile.updatedAt) {
      superseded.push(current);
      best.set(row.profile.customerId, row);
    } else superseded.push(row);
  }
  return { winners: [...best.values()], superseded };
}
