import { runSummary, type RunSummary } from '../platform/run-summary';

export const storeIntakeRun = (storeCode: string, day?: string): RunSummary =>
  runSummary([`store intake ${storeCode}`, day ?? 'today (UTC)', 'store DB → instore-metadata → PIM']);

export const storeIntakeAllRun = (day?: string): RunSummary =>
  runSummary(['store intake · every store', day ?? 'today (UTC)'], { children: 'store-intake/<code>/<day>' });

/** One run per store and day at a time: two intakes of a day never write its objects at once. */
export const storeIntakeWorkflowId = (storeCode: string, day: string) => `store-intake/${storeCode}/${day}`;
