/**
 * Stock reconciliation (store DB × ledger × Shopify), per UTC day and run, lake bucket:
 *   inventory-reconcile/dt=YYYY-MM-DD/<runId>/differences.ndjson  one ReconDifference a line (domain/inventory/recon.ts),
 *                                                                 largest value at shelf price first
 *   inventory-reconcile/dt=YYYY-MM-DD/<runId>/summary.json        counts per class, units, value, corrections made
 * Quarantine bucket:
 *   quarantine/inventory-reconcile/dt=YYYY-MM-DD/<runId>.ndjson   store rows that could not be compared, with reason
 */
const safe = (runId: string) => runId.replace(/[^A-Za-z0-9._-]/g, '_');
export const reconRunPrefix = (day: string, runId: string) => `inventory-reconcile/dt=${day}/${safe(runId)}/`;
export const reconDifferencesKey = (day: string, runId: string) => `${reconRunPrefix(day, runId)}differences.ndjson`;
export const reconSummaryKey = (day: string, runId: string) => `${reconRunPrefix(day, runId)}summary.json`;
export const reconQuarantineKey = (day: string, runId: string) =>
  `quarantine/inventory-reconcile/dt=${day}/${safe(runId)}.ndjson`;
