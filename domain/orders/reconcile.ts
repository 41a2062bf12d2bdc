/** Compares per-order totals of several systems for one day and lists every difference by order id. */
export interface SystemView {
  name: string;
  totals: Record<string, string>;
}

export interface Difference {
  orderId: string;
  missingIn: string[];
  totals: Record<string, string | null>;
}

export interface Reconciliation {
  day: string;
  counts: Record<string, number>;
  sums: Record<string, string>;
  differences: Difference[];
}

/** What a reconciliation run returns (and keeps in history): the differences themselves are in the lake. */
export interface ReconciliationSummary {
  day: string;
  counts: Record<string, number>;
  sums: Record<string, string>;
  /** Items or rows each system's view read (DynamoDB: the day's only). */
  read: Record<string, number>;
  differenceCount: number;
  /** Lake key of the differences, one JSON object per line (lake/reconcile-layout.ts). */
  differencesKey: string;
  /** The first few differences, for the UI and the CLI. */
  sample: Difference[];
}

export function reconcile(day: string, views: SystemView[]): Reconciliation {
  const ids = new Set(views.flatMap((v) => Object.keys(v.totals)));
  const differences: Difference[] = [];
  for (const id of [...ids].sort()) {
    const totals = Object.fromEntries(views.map((v) => [v.name, v.totals[id] ?? null]));
    const missingIn = views.filter((v) => v.totals[id] === undefined).map((v) => v.name);
    const distinct = new Set(
      Object.values(totals)
        .filter((t) => t !== null)
        .map((t) => Number(t).toFixed(2)),
    );
    if (missingIn.length || distinct.size > 1) differences.push({ orderId: id, missingIn, totals });
  }
  const sum = (t: Record<string, string>) =>
    (Object.values(t).reduce((n, v) => n + Math.round(Number(v) * 100), 0) / 100).toFixed(2);
  return {
    day,
    counts: Object.fromEntries(views.map((v) => [v.name, Object.keys(v.totals).length])),
    sums: Object.fromEntries(views.map((v) => [v.name, sum(v.totals)])),
    differences,
  };
}
