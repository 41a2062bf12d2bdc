/** What a file import did with every row it read. */
export interface ImportCounts {
  read: number;
  imported: number;
  updated: number;
  skippedOlder: number;
  quarantined: number;
}

export const ZERO_COUNTS: ImportCounts = { read: 0, imported: 0, updated: 0, skippedOlder: 0, quarantined: 0 };

export function addCounts(a: ImportCounts, b: ImportCounts): ImportCounts {
  return {
    read: a.read + b.read,
    imported: a.imported + b.imported,
    updated: a.updated + b.updated,
    skippedOlder: a.skippedOlder + b.skippedOlder,
    quarantined: a.quarantined + b.quarantined,
  };
}

/** Every row read is accounted for exactly once: imported + updated + skippedOlder + quarantined = read. */
export function countsBalance(c: ImportCounts): boolean {
  return c.imported + c.updated + c.skippedOlder + c.quarantined === c.read;
}
