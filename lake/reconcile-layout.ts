/**
 * Orders reconciliation in the lake bucket, per day and run:
 *   reconcile/dt=YYYY-MM-DD/<runId>/<system>.json.gz   one system's view: {"<orderId>": "<total>", ...}
 *   reconcile/dt=YYYY-MM-DD/<runId>/differences.ndjson.gz   one Difference per line (domain/orders/reconcile.ts)
 * Views are written by the activity that read them, so whole-day maps never pass through workflow history.
 */
export const reconcileRunPrefix = (day: string, runId: string) => `reconcile/dt=${day}/${runId}/`;
export const reconcileViewKey = (day: string, runId: string, system: string) =>
  `${reconcileRunPrefix(day, runId)}${system}.json.gz`;
export const reconcileDifferencesKey = (day: string, runId: string) =>
  `${reconcileRunPrefix(day, runId)}differences.ndjson.gz`;
