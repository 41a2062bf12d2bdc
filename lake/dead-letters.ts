import { randomUUID } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { deadLetterKey, replayedKey } from './lake-layout';

/**
 * What could not go into the lake, kept whole so it can be replayed after a fix (`backbone lake replay <key>`):
 *   kind 'page': a source page that could not be parsed; `request` is what was asked, `response` what came back
 *     (status + body text), `reason` the parse error. Replay runs the table's page parser again on `response`.
 *   kind 'rows': rows of a parsed page the schema refused (a required field missing, a value of the wrong type),
 *     each with its reasons. Replay validates them again against the table's current schema.
 * No secret ever goes in `request` (callers pass the query and variables, never headers).
 */
export interface DeadLetter {
  id: string;
  source: string;
  entity: string;
  kind: 'page' | 'rows';
  at: string;
  reason: string;
  request: unknown;
  response?: { status?: number; body: string };
  rows?: { row: Record<string, unknown>; reasons: string[] }[];
  /**
   * A page's parser by name (domain/extraction/page-parsers.ts), for a page feeding several tables: the replay
   * runs it and writes every table it returns. Without it, the table's own `parsePage` is used.
   */
  parser?: string;
  /** The raw page the rows came from, when it was stored. */
  rawKey?: string;
  /** The writer's partition rule for replayed rows: a fixed day, or a column whose UTC day it is. */
  dt?: { day: string } | { column: string };
}

export interface DeadLetterStore {
  s3: S3Client;
  quarantineBucket: string;
}

export async function writeDeadLetter(
  store: DeadLetterStore,
  letter: Omit<DeadLetter, 'id' | 'at'> & { id?: string; at?: string },
): Promise<string> {
  const at = letter.at ?? new Date().toISOString();
  const full: DeadLetter = { ...letter, id: letter.id ?? randomUUID(), at };
  const key = deadLetterKey(full.source, full.entity, at.slice(0, 10), full.id);
  await store.s3.send(
    new PutObjectCommand({
      Bucket: store.quarantineBucket,
      Key: key,
      Body: JSON.stringify(full),
      ContentType: 'application/json',
    }),
  );
  return key;
}

export async function readDeadLetter(store: DeadLetterStore, key: string): Promise<DeadLetter> {
  const res = await store.s3.send(new GetObjectCommand({ Bucket: store.quarantineBucket, Key: key }));
  return JSON.parse(await res.Body!.transformToString()) as DeadLetter;
}

/** Open dead letters (not yet replayed), optionally of one table (`source` or `source/entity`). */
export async function listDeadLetters(store: DeadLetterStore, table?: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const res = await store.s3.send(
      new ListObjectsV2Command({
        Bucket: store.quarantineBucket,
        Prefix: `dead-letters/${table ? `${table.replace(/\/$/, '')}/` : ''}`,
        ContinuationToken,
      }),
    );
    for (const o of res.Contents ?? []) if (o.Key?.endsWith('.json')) keys.push(o.Key);
    ContinuationToken = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys.sort();
}

/** Moves a replayed letter aside (copy, then delete), so it is listed once and kept for the record. */
export async function markReplayed(store: DeadLetterStore, key: string): Promise<string> {
  const target = replayedKey(key);
  await store.s3.send(
    new CopyObjectCommand({
      Bucket: store.quarantineBucket,
      Key: target,
      CopySource: `${store.quarantineBucket}/${key}`,
    }),
  );
  await store.s3.send(new DeleteObjectCommand({ Bucket: store.quarantineBucket, Key: key }));
  return target;
}
