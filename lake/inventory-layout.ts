import { dayPartition } from './layout';

/**
 * Inventory objects (quarantine bucket):
 *   quarantine/inventory-movements/<source>/dt=YYYY-MM-DD/<batch>.ndjson
 *     movements the ledger refused: one JSON object a line with `code`, `reason` and the `movement` as sent.
 */
export const movementQuarantineKey = (source: string, at: Date, batchId: string) =>
  `quarantine/inventory-movements/${source.replace(/[^A-Za-z0-9._-]/g, '_')}/dt=${dayPartition(at)}/${batchId}.ndjson`;
