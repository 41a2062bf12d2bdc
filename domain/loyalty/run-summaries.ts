import { baseName, byteSize, runSummary, type RunSummary } from '../platform/run-summary';

export const loyaltyConvertRun = (file: { key: string; size: number; etag: string }, keepSource = false): RunSummary =>
  runSummary([`convert loyalty ${baseName(file.key)} (${byteSize(file.size)})`, keepSource && 're-run'], {
    object: file.key,
    etag: file.etag,
  });

export const loyaltyIntakeRun = (): RunSummary =>
  runSummary(['loyalty intake · convertFile requests'], { signal: 'convertFile {key, bucket?}', query: 'requests' });

export const loyaltyStoreExportRun = (input: { day?: string; lookbackDays?: number }): RunSummary =>
  runSummary(['export loyalty from the store DB', input.day ?? `last ${input.lookbackDays ?? 3} days`]);

export const loyaltyStoreExportDayRun = (day: string): RunSummary =>
  runSummary([`export loyalty ${day}`, 'store DB → incoming/ → convert']);
