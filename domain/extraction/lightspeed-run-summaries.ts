import { runSummary, type RunSummary } from '../platform/run-summary';

export const lightspeedDailyRun = (input: { day?: string }): RunSummary =>
  runSummary([
    `Lightspeed day ${input.day ?? 'yesterday'}`,
    'every shop → lake, reconciled with the accounting reports',
  ]);

export const lightspeedIncrementalRun = (): RunSummary =>
  runSummary(['Lightspeed sales changed since the last run', 'every shop → lake']);

export const lightspeedBackfillRun = (input: { from: string; to: string }): RunSummary =>
  runSummary([`Lightspeed backfill ${input.from} … ${input.to}`, 'every shop → lake']);
