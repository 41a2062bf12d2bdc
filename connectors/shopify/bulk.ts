import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ShopifyClient } from './client';
import {
  BULK_CANCEL,
  BULK_OPERATION,
  BULK_OPERATIONS_RECENT,
  BULK_RUN_MUTATION,
  BULK_RUN_QUERY,
  type BulkOperationInfo,
} from './documents';
import { ShopifyBulkOperationError, ShopifyTransientError, ShopifyUserError } from './errors';
import { stageJsonl, type JsonlSource } from './bulk-upload';

export async function startBulkMutation(
  client: ShopifyClient,
  mutation: string,
  stagedUploadPath: string,
  clientIdentifier?: string,
): Promise<BulkOperationInfo> {
  const payload = await client.mutate(
    BULK_RUN_MUTATION,
    { mutation, stagedUploadPath, clientIdentifier },
    'bulkOperationRunMutation',
  );
  return payload.bulkOperation!;
}

/**
 * The bulk mutation document under an operation name derived from `tag`. Shopify keeps the document of every
 * bulk operation (`BulkOperation.query`) but not its staged file or client identifier, so a name of its own
 * is what lets a retried start recognise the operation an earlier attempt launched.
 */
export function tagBulkDocument(mutation: string, tag: string): string {
  const name = `bulk_${createHash('sha256').update(tag).digest('hex').slice(0, 24)}`;
  if (!/^\s*mutation\b/.test(mutation)) throw new Error('a bulk mutation document starts with `mutation`');
  return mutation.replace(/^\s*mutation\s*(\w+)?/, `mutation ${name}`);
}

/**
 * The bulk mutation started with exactly this document at or after `createdAfter` (ISO time), if any and not
 * cancelled: bulkOperationRunMutation is not idempotent, so a start whose reply was lost is found this way.
 */
export async function findStartedBulkOperation(
  client: ShopifyClient,
  mutation: string,
  createdAfter: string,
  type: 'mutation' | 'query' = 'mutation',
): Promise<string | null> {
  const { bulkOperations } = await client.request(BULK_OPERATIONS_RECENT, {
    query: `operation_type:${type} created_at:>='${createdAfter}'`,
  });
  // A query's operation that failed or expired has nothing to adopt either: its results are incomplete or gone.
  const dead = new Set(['CANCELED', 'CANCELING', ...(type === 'query' ? ['FAILED', 'EXPIRED'] : [])]);
  const mine = bulkOperations.nodes.filter((o) => o.query === mutation && !dead.has(o.status));
  return mine.at(-1)?.id ?? null;
}

/** userErrors of a bulk start that mean "not now": Shopify's descriptions say to try again later. */
export const RETRYABLE_BULK_START_CODES = new Set([
  'LIMIT_REACHED',
  'INTERNAL_FILE_SERVER_ERROR',
  'OPERATION_IN_PROGRESS',
]);

export async function startBulkQuery(client: ShopifyClient, query: string): Promise<BulkOperationInfo> {
  const payload = await client.mutate(BULK_RUN_QUERY, { query }, 'bulkOperationRunQuery');
  return payload.bulkOperation!;
}

export async function getBulkOperation(client: ShopifyClient, id: string): Promise<BulkOperationInfo | null> {
  return (await client.request(BULK_OPERATION, { id })).bulkOperation;
}

export async function cancelBulkOperation(client: ShopifyClient, id: string): Promise<void> {
  await client.mutate(BULK_CANCEL, { id }, 'bulkOperationCancel');
}

export const isFinished = (op: BulkOperationInfo) => ['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED'].includes(op.status);

/** Polls until the operation finishes; `onPoll` lets a caller heartbeat. */
export async function waitForBulkOperation(
  client: ShopifyClient,
  id: string,
  { intervalMs = 500, onPoll }: { intervalMs?: number; onPoll?: (op: BulkOperationInfo) => void } = {},
): Promise<BulkOperationInfo> {
  for (;;) {
    const op = await getBulkOperation(client, id);
    if (!op)
      throw new ShopifyUserError('bulkOperation', [{ field: ['id'], message: `bulk operation ${id} not found` }]);
    onPoll?.(op);
    if (isFinished(op)) return op;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Streams a bulk result file (JSONL) as parsed lines, without holding the file in memory. `fromLine` skips the
 * lines a previous attempt already handled (resume after a crash). A null url (no results) yields nothing.
 */
export async function* streamBulkResults<T = Record<string, unknown>>(
  url: string | null,
  { fromLine = 0 }: { fromLine?: number } = {},
): AsyncGenerator<T> {
  if (!url) return;
  const res = await fetch(url).catch((err: Error) => {
    throw new ShopifyTransientError('bulkResults', `result download failed: ${err.message}`);
  });
  if (!res.ok || !res.body)
    throw new ShopifyTransientError('bulkResults', `result download answered HTTP ${res.status}`);
  const lines = createInterface({
    input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    crlfDelay: Infinity,
  });
  let n = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (n++ < fromLine) continue;
    yield JSON.parse(line) as T;
  }
}

interface PollOptions {
  intervalMs?: number;
  onPoll?: (op: BulkOperationInfo) => void;
}

async function completed(client: ShopifyClient, id: string, opts: PollOptions): Promise<BulkOperationInfo> {
  const done = await waitForBulkOperation(client, id, opts);
  if (done.status !== 'COMPLETED') throw new ShopifyBulkOperationError(done);
  return done;
}

/** Bulk query end to end: start, poll, stream the result lines (children carry `__parentId`). */
export async function* runBulkQuery<T = Record<string, unknown>>(
  client: ShopifyClient,
  query: string,
  opts: PollOptions = {},
): AsyncGenerator<T> {
  const op = await startBulkQuery(client, query);
  yield* streamBulkResults<T>((await completed(client, op.id, opts)).url);
}

/** Bulk mutation end to end: stage the JSONL variables, start, poll, stream the result lines (with `__lineNumber`). */
export async function* runBulkMutation<T = Record<string, unknown>>(
  client: ShopifyClient,
  mutation: string,
  variables: JsonlSource,
  opts: PollOptions & { clientIdentifier?: string } = {},
): AsyncGenerator<T> {
  const path = await stageJsonl(client, 'bulk-variables.jsonl', variables);
  const op = await startBulkMutation(client, mutation, path, opts.clientIdentifier);
  yield* streamBulkResults<T>((await completed(client, op.id, opts)).url);
}
