import { baseName, byteSize, runSummary, type RunSummary } from '../platform/run-summary';

/** `import customers customers-2026-11-30.csv (1.2 MB)`: the file, never its rows (they hold PII). */
export const customersImportRun = (file: { key: string; size: number; etag: string }): RunSummary =>
  runSummary([`import customers ${baseName(file.key)} (${byteSize(file.size)})`], {
    object: file.key,
    etag: file.etag,
  });
