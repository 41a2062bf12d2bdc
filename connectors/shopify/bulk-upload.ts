import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { ShopifyClient } from './client';
import { backoffMs } from './classify';
import { STAGED_UPLOADS_CREATE } from './documents';
import { ShopifyTransientError, ShopifyUserError } from './errors';

/**
 * Bulk mutation variables: a Blob (use `fs.openAsBlob(file)` for a file: it is read as it is sent), a file path,
 * JSONL text, or lines (objects are JSON-encoded) which are spooled to a temporary file first because the upload
 * needs a known length.
 */
export type JsonlSource = string | Blob | { path: string } | Iterable<unknown> | AsyncIterable<unknown>;

const UPLOAD_ATTEMPTS = 4;

/**
 * Stages a JSONL file of mutation variables: stagedUploadsCreate (resource BULK_MUTATION_VARIABLES), then the
 * multipart POST it describes (its parameters first, the file last). Returns the stagedUploadPath for
 * bulkOperationRunMutation. A re-run stages a fresh copy; nothing is started until that mutation.
 */
export async function stageJsonl(client: ShopifyClient, filename: string, source: JsonlSource): Promise<string> {
  if (typeof source === 'string') source = new Blob([source]); // JSONL text
  const spooled = source instanceof Blob || 'path' in source ? undefined : await spool(source);
  try {
    const body = source instanceof Blob ? source : await fs.openAsBlob(spooled ?? (source as { path: string }).path);
    const { stagedTargets } = await client.mutate(STAGED_UPLOADS_CREATE, { filename }, 'stagedUploadsCreate');
    const target = stagedTargets[0];
    const key = target?.parameters.find((p) => p.name === 'key')?.value;
    if (!target || !key)
      throw new ShopifyUserError('stagedUploadsCreate', [{ field: null, message: 'no staged target with a key' }]);
    await upload(target, body, filename);
    return key;
  } finally {
    if (spooled) await fs.promises.rm(path.dirname(spooled), { recursive: true, force: true });
  }
}

async function upload(
  target: { url: string; parameters: { name: string; value: string }[] },
  body: Blob,
  filename: string,
): Promise<void> {
  let problem = '';
  for (let attempt = 1; attempt <= UPLOAD_ATTEMPTS; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, backoffMs(attempt - 1)));
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    form.append('file', body, filename);
    try {
      const res = await fetch(target.url, { method: 'POST', body: form, signal: AbortSignal.timeout(300_000) });
      await res.body?.cancel();
      if (res.ok) return;
      problem = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) break; // a refused policy or signature will not improve
    } catch (err) {
      problem = (err as Error).message;
    }
  }
  throw new ShopifyTransientError('stagedUpload', `upload failed: ${problem}`);
}

async function spool(lines: Iterable<unknown> | AsyncIterable<unknown>): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'shopify-jsonl-'));
  const file = path.join(dir, 'variables.jsonl');
  const out = fs.createWriteStream(file);
  try {
    for await (const line of lines) {
      const text = typeof line === 'string' ? line : JSON.stringify(line);
      if (!out.write(`${text}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    out.end();
    await finished(out);
  }
  return file;
}
