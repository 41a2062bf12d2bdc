import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Lake } from './lake-writer';

/**
 * Extraction cursors kept in the lake beside the data they describe (`_cursors/<name>.json`): written only after
 * the rows up to them are in their partitions, so a crash re-extracts (harmless, dedup) and never skips.
 */
export const cursorKey = (name: string) => `_cursors/${name}.json`;

export async function readCursor<T>(lake: Lake, name: string): Promise<T | null> {
  try {
    const res = await lake.s3.send(new GetObjectCommand({ Bucket: lake.bucket, Key: cursorKey(name) }));
    return JSON.parse(await res.Body!.transformToString()) as T;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

export async function writeCursor<T>(lake: Lake, name: string, value: T): Promise<void> {
  await lake.s3.send(
    new PutObjectCommand({
      Bucket: lake.bucket,
      Key: cursorKey(name),
      Body: JSON.stringify(value),
      ContentType: 'application/json',
    }),
  );
}
