/**
 * The extraction lake's keys (lake bucket unless noted). One table per source and entity:
 *
 *   <source>/<entity>/dt=YYYY-MM-DD/data.parquet     the partition's rows, one per natural key (newest updated_at);
 *                                                    replaced whole by one PUT, so a reader sees the old or the new
 *                                                    partition, never both or half
 *   <source>/<entity>/_manifest.json                 LakeManifest: schema versions, partitions, unknown fields seen
 *   <source>/<entity>/_raw/dt=YYYY-MM-DD/<page>.ndjson.gz
 *                                                    raw source pages as received, one record a line, for replay;
 *                                                    `dt` is the extraction day
 * Quarantine bucket:
 *   dead-letters/<source>/<entity>/dt=YYYY-MM-DD/<id>.json           DeadLetter: request, response, reason (+ rows)
 *   dead-letters-replayed/<source>/<entity>/dt=YYYY-MM-DD/<id>.json  the same once a replay wrote it
 *
 * Sources and entities are lower-case identifiers (`shopify/orders`, `lightspeed/sale_lines`, `stocky/…`); the
 * query CLI exposes each table as the view `<source>.<entity>` with `dt` as a DATE column (hive partitioning), so a
 * filter on dt reads only those partitions.
 */
export const tablePrefix = (source: string, entity: string) => `${source}/${entity}/`;
export const partitionKey = (source: string, entity: string, dt: string) =>
  `${tablePrefix(source, entity)}dt=${dt}/data.parquet`;
export const manifestKey = (source: string, entity: string) => `${tablePrefix(source, entity)}_manifest.json`;
export const rawPageKey = (source: string, entity: string, day: string, pageId: string) =>
  `${tablePrefix(source, entity)}_raw/dt=${day}/${pageId}.ndjson.gz`;
/** The glob of a table's partitions (never matches `_raw/`). */
export const partitionGlob = (bucket: string, source: string, entity: string) =>
  `s3://${bucket}/${tablePrefix(source, entity)}dt=*/data.parquet`;

export const deadLetterKey = (source: string, entity: string, day: string, id: string) =>
  `dead-letters/${source}/${entity}/dt=${day}/${id}.json`;
export const replayedKey = (deadLetter: string) => deadLetter.replace(/^dead-letters\//, 'dead-letters-replayed/');
