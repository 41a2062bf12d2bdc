/**
 * Where every pipeline's objects live. One place, so the lake stays navigable and other pipelines add theirs here.
 *
 * Archive bucket (`config.aws.buckets.archive`)
 *   incoming/<domain>/<file>                      files dropped by in-store systems, removed once processed
 *   incoming/loyalty/store-db-YYYY-MM-DD.csv      the store DB's loyalty_transactions of one UTC day, first export
 *   incoming/loyalty/store-db-YYYY-MM-DD-part-<n>.csv
 *                                                 rows of that day that arrived after the earlier parts (late POS sync)
 *   archive/<domain>/dt=YYYY-MM-DD/<file>@<etag>  the raw file, byte for byte, after a completed run
 *   rejected/<domain>/dt=YYYY-MM-DD/<file>@<etag> a file that could not be used at all (no header, no usable row, …)
 *   rejected/<domain>/dt=YYYY-MM-DD/<file>@<etag>.reason.json
 *                                                 why: { reason, type, key, etag, size, rejectedAt }
 * Quarantine bucket (`config.aws.buckets.quarantine`)
 *   quarantine/<domain>/dt=YYYY-MM-DD/<file>@<etag>/rows-<firstRow>.csv
 *                                                 rejected rows: row_number, reason, then the original columns
 * Lake bucket (`config.aws.buckets.lake`)
 *   loyalty/points/month=YYYY-MM/<fileId>.parquet loyalty transactions, typed, snappy (or zstd)
 *   loyalty/contributions/<fileId>.ndjson         per-card totals of one file, the input of the balances step
 *   loyalty/store-exports/YYYY-MM-DD.json         the parts of one day exported from the store DB, and their ids
 *
 * `dt` is the day the file arrived (its LastModified, UTC), so a re-run files the same input in the same place; the
 * ETag names the version, so a same-name file re-sent on the same day (other bytes, other ETag) overwrites nothing.
 */
export type FileDomain = 'customers' | 'loyalty';

export const incomingPrefix = (domain: FileDomain) => `incoming/${domain}/`;

export const incomingKey = (domain: FileDomain, fileName: string) => `${incomingPrefix(domain)}${fileName}`;

/**
 * Part `part` (from 1) of the store DB's loyalty transactions of one UTC day, as a loyalty export the file pipeline
 * converts. Part 1 keeps the name the export always had; later parts hold rows that arrived after the earlier ones.
 */
export const loyaltyStoreExportKey = (day: string, part = 1) =>
  incomingKey('loyalty', part === 1 ? `store-db-${day}.csv` : `store-db-${day}-part-${part}.csv`);

/** `dt=` partition value of a moment (UTC day). */
export const dayPartition = (at: Date | string) => new Date(at).toISOString().slice(0, 10);

/** The file's name below its incoming prefix (sub-folders kept, flattened with `__`). */
export function fileNameOf(key: string, domain: FileDomain): string {
  const prefix = incomingPrefix(domain);
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : key.slice(key.lastIndexOf('/') + 1);
  return rest.replace(/\//g, '__');
}

/** What names one version of an incoming file in the archive, quarantine and rejected places. */
export interface FileVersion {
  day: string;
  fileName: string;
  etag: string;
}

const versionName = (v: FileVersion) => `${v.fileName}@${cleanEtag(v.etag)}`;

export const archiveKey = (domain: FileDomain, v: FileVersion) => `archive/${domain}/dt=${v.day}/${versionName(v)}`;

export const rejectedPrefix = (domain: FileDomain) => `rejected/${domain}/`;

export const rejectedKey = (domain: FileDomain, v: FileVersion) =>
  `${rejectedPrefix(domain)}dt=${v.day}/${versionName(v)}`;

export const rejectedReasonKey = (domain: FileDomain, v: FileVersion) => `${rejectedKey(domain, v)}.reason.json`;

export const quarantinePrefix = (domain: FileDomain, v: FileVersion) =>
  `quarantine/${domain}/dt=${v.day}/${versionName(v)}/`;

/** One part per chunk, named by its first row, so a retried chunk overwrites its own part and nothing else. */
export const quarantinePartKey = (domain: FileDomain, v: FileVersion, firstRow: number) =>
  `${quarantinePrefix(domain, v)}rows-${String(firstRow).padStart(10, '0')}.csv`;

/** A stable id of one version of a file: its name and ETag (S3 changes the ETag whenever the bytes change). */
export function fileId(fileName: string, etag: string): string {
  return `${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}@${cleanEtag(etag)}`;
}

export const cleanEtag = (etag: string) => etag.replace(/"/g, '');

export const loyaltyPointsPrefix = 'loyalty/points/';

export const loyaltyPartitionKey = (month: string, id: string) => `${loyaltyPointsPrefix}month=${month}/${id}.parquet`;

export const loyaltyContributionsKey = (id: string) => `loyalty/contributions/${id}.ndjson`;

/** Which rows of one UTC day the store export has written, part by part (lake bucket). */
export const loyaltyStoreExportManifestKey = (day: string) => `loyalty/store-exports/${day}.json`;
