import { runSummary, type RunSummary } from '../platform/run-summary';

export const stockReconcileRun = (input: { day?: string; correct?: boolean } = {}): RunSummary =>
  runSummary(
    [
      'reconcile stock',
      'store DB × ledger × Shopify',
      input.day ?? 'today (UTC)',
      input.correct === false && 'report only',
    ],
    { report: 'inventory-reconcile/dt=<day>/<runId>/' },
  );
