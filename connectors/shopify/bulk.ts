import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ShopifyClient } from './client';
import {
  BULK_CANCEL,
  BULK_OPERATION,
  BULK_RUN_MUTATION,
  BULK_RUN_QUERY,
  STAGED_UPLOADS_CREATE,
  type BulkOperationInfo,
} from './documents';
import { ShopifyTransientError, ShopifyUserError } from './errors';

/** Stages a JSONL file of mutation variables (stagedUploadsCreate, then the multipart upload it describes); returns the stagedUploadPath. */
export async function stageJsonl(client: ShopifyClient, filename: string, body: Blob): Promise<string> {
  const { stagedTargets } = await client.mutate(STAGED_UPLOADS_CREATE, { filename }, 'stagedUploadsCreate');
  const target = stagedTargets[0];
  if (!target)
    throw new ShopifyUserError('stagedUploadsCreate', [{ field: null, message: 'no staged target returned' }]);
  const form = new FormData();
  for (const p of target.parameters) form.append(p.name, p.value);
  form.append('file', body, filename);
  const res = await fetch(target.url, { method: 'POST', body: form });
  if (!res.ok) throw new ShopifyTransientError('stagedUpload', `upload answered HTTP ${res.status}`);
  const key = target.parameters.find((p) => p.name === 'key')?.value;
  if (!key) throw new ShopifyUserError('stagedUploadsCreate', [{ field: ['parameters'], message: 'no key parameter' }]);
  return key;
}

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

/** Streams a bulk result file line by line, parsed, without holding the file in memory. */
export async function* streamBulkResults<T = Record<string, unknown>>(url: string): AsyncGenerator<T> {
  const res = await fetch(url);
  if (!res.ok || !res.body)
    throw new ShopifyTransientError('bulkResults', `result download answered HTTP ${res.status}`);
  const lines = createInterface({
    input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    crlfDelay: Infinity,
  });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as T;
}
