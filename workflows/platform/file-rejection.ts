import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * Failures that say the file itself is unusable (no header, no data, nothing valid): retrying cannot help, and
 * leaving the file in incoming/ would have every scan run it again. Such a file is moved to rejected/ with its reason.
 */
export const FILE_REJECTION_TYPES = ['EmptyFile', 'InvalidFileHeader', 'NoUsableRows', 'UnreadableFile'] as const;

/**
 * The reason to reject the file for, when `err` is one of those failures (as thrown by an activity); `details` is the
 * failure's first detail (what the activity counted before it gave up), if any.
 */
export function rejectionOf(err: unknown): { reason: string; type: string; details?: unknown } | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || !cause.type) return null;
  if (!(FILE_REJECTION_TYPES as readonly string[]).includes(cause.type)) return null;
  return { reason: cause.message, type: cause.type, details: cause.details?.[0] };
}

/** A file with rows read but none usable is rejected as a whole (its bad rows are quarantined already). */
export function noUsableRows(read: number, usable: number): { reason: string; type: string } | null {
  if (read === 0) return { reason: 'no data rows (a header only)', type: 'NoUsableRows' };
  if (usable === 0) return { reason: `no usable rows: all ${read} rows quarantined`, type: 'NoUsableRows' };
  return null;
}
