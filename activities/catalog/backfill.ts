import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PimDb } from '../../db/client';
import {
  customIdentifier,
  ensureCustomIdDefinition,
  findStartedBulkOperation,
  getBulkOperation,
  isFinished,
  PRODUCT_SET_BULK,
  RETRYABLE_BULK_START_CODES,
  ShopifyClient,
  ShopifyUserError,
  stageJsonl,
  startBulkMutation,
  streamBulkResults,
  tagBulkDocument,
  withAllVariants,
} from '../../connectors/shopify';
import { withVariantIds } from '../../domain/catalog/shopify-product';
import {
  createCatalogActivities,
  knownVariants,
  mappingHashes,
  prepareProducts,
  recordSyncError,
  writeMapping,
} from './catalog';
import { populationPage, populationSize, type PopulationFilter } from './pim-reads';

export interface PageOutcome {
  lastId: number;
  processed: number;
  synced: number;
  skipped: number;
  failed: number;
}

export interface StagedChunk {
  stagedUploadPath: string | null;
  manifestKey: string;
  lines: number;
  lastId: number;
  skipped: number;
  failed: number;
}

type BulkLine = {
  __lineNumber: number;
  data?: {
    productSet?: {
      product: {
        id: string;
        variants: {
          nodes: { id: string; sku: string | null; inventoryItem: { id: string } }[];
          pageInfo?: { hasNextPage: boolean; endCursor: string | null };
        };
      } | null;
      userErrors: { field: string[] | null; message: string; code?: string | null }[];
    };
  };
  errors?: { message: string }[];
};

/** The backfill's side effects: population paging, per-product pushes, and the bulk-mutation steps, each resumable on its own. */
/** Heartbeats every 2 s while `work` runs: one slow call must not outlive the 10 s heartbeat timeout. */
async function heartbeating<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(() => Context.current().heartbeat(), 2_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

export function createBackfillActivities(deps: { pim: PimDb; shopify: ShopifyClient; s3: S3Client; bucket: string }) {
  const catalog = createCatalogActivities(deps);
  // bulkOperationRunMutation is not idempotent: a client-side retry after a lost reply would launch a second
  // operation for the chunk. Starts go through a client that never retries; the activity asks Shopify first.
  const noRetry = new ShopifyClient({ ...deps.shopify.config, maxAttempts: 1 });
  return {
    countPopulation: (filter: PopulationFilter) => populationSize(deps.pim, filter),

    /** Pushes one page of the population, `concurrency` at a time; the shared cost budget paces them at the ceiling. */
    async pushPage(filter: PopulationFilter, afterId: number, limit: number, concurrency = 32): Promise<PageOutcome> {
      const ids = await populationPage(deps.pim, filter, afterId, limit);
      const outcome: PageOutcome = {
        lastId: ids.at(-1) ?? afterId,
        processed: ids.length,
        synced: 0,
        skipped: 0,
        failed: 0,
      };
      let next = 0;
      const work = async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const r = await catalog.pushProduct(id);
          if (r.status === 'Synced') outcome.synced++;
          else if (r.status === 'Invalid') outcome.failed++;
          else outcome.skipped++;
          Context.current().heartbeat(next);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, work));
      return outcome;
    },

    /**
     * Builds one chunk's JSONL of productSet variables (only valid products whose content changed),
     * keeps a manifest (line → PIM id, hash) in S3 for applying results, and stages the file with Shopify.
     */
    async stageBulkChunk(
      filter: PopulationFilter,
      afterId: number,
      limit: number,
      manifestKey: string,
    ): Promise<StagedChunk> {
      const ids = await populationPage(deps.pim, filter, afterId, limit);
      // Lines go to a temporary file and are uploaded from it: a chunk is never held in memory whole.
      const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'backfill-'));
      const file = path.join(dir, 'products.jsonl');
      const out = fs.createWriteStream(file);
      let lines = 0;
      const manifest: [number, string][] = [];
      let skipped = 0;
      let failed = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const slice = ids.slice(i, i + 500);
        const [prepared, hashes, known] = await Promise.all([
          prepareProducts(deps.pim, slice),
          mappingHashes(deps.pim, slice),
          knownVariants(deps.pim, slice),
        ]);
        for (const id of slice) {
          const p = prepared.get(id)!;
          if (!p.product) continue;
          if (p.problems.length) {
            await recordSyncError(deps.pim, id, p.problems);
            failed++;
          } else if (hashes.get(id) === p.hash) skipped++;
          else {
            if (
              !out.write(
                `${lines ? '\n' : ''}${JSON.stringify({ identifier: customIdentifier(id), input: withVariantIds(p.input!, known.get(id) ?? {}) })}`,
              )
            )
              await once(out, 'drain');
            lines++;
            manifest.push([id, p.hash!]);
          }
        }
        Context.current().heartbeat(i);
      }
      out.end();
      await once(out, 'finish');
      const lastId = ids.at(-1) ?? afterId;
      try {
        if (!lines) return { stagedUploadPath: null, manifestKey, lines: 0, lastId, skipped, failed };
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: deps.bucket,
            Key: manifestKey,
            Body: JSON.stringify(manifest),
            ContentType: 'application/json',
          }),
        );
        const stagedUploadPath = await heartbeating(
          stageJsonl(deps.shopify, 'products.jsonl', await fs.openAsBlob(file)),
        );
        return { stagedUploadPath, manifestKey, lines, lastId, skipped, failed };
      } finally {
        await fs.promises.rm(dir, { recursive: true, force: true });
      }
    },

    /**
     * Starts the chunk's bulk mutation once. The document is named after the chunk, so a retry (after a lost
     * reply or a slow start) adopts the operation an earlier attempt launched instead of starting another;
     * LIMIT_REACHED and the other "try again later" codes are retried with the activity's backoff.
     */
    async startBulkChunk(stagedUploadPath: string, clientIdentifier: string): Promise<string> {
      await heartbeating(ensureCustomIdDefinition(deps.shopify)); // customId upserts need the unique definition
      const mutation = tagBulkDocument(PRODUCT_SET_BULK, clientIdentifier);
      const since = new Date(Context.current().info.scheduledTimestampMs - 5_000).toISOString();
      const adopt = () => heartbeating(findStartedBulkOperation(deps.shopify, mutation, since));
      if (Context.current().info.attempt > 1) {
        const existing = await adopt();
        if (existing) return existing;
      }
      try {
        return (await heartbeating(startBulkMutation(noRetry, mutation, stagedUploadPath, clientIdentifier))).id;
      } catch (err) {
        const existing = await adopt().catch(() => null);
        if (existing) return existing;
        if (err instanceof ShopifyUserError && err.codes.every((c) => RETRYABLE_BULK_START_CODES.has(c)))
          throw ApplicationFailure.retryable(err.message, 'BulkStartNotNow', err.userErrors);
        throw err;
      }
    },

    /** Polls a bulk operation until it finishes, heartbeating; a restarted worker polls the same operation. */
    async awaitBulkChunk(
      operationId: string,
    ): Promise<{ status: string; url: string | null; partialDataUrl: string | null }> {
      for (;;) {
        const op = await getBulkOperation(deps.shopify, operationId);
        if (!op) throw new Error(`bulk operation ${operationId} not found`);
        Context.current().heartbeat(op.objectCount);
        if (isFinished(op)) return { status: op.status, url: op.url, partialDataUrl: op.partialDataUrl };
        await Context.current().sleep(500);
      }
    },

    /**
     * Streams the result file (null: the operation left none) and writes each line's outcome back: mapping on
     * success, sync_errors on userErrors. Every manifest line ends accounted for: lines missing from the result
     * (partial data) or failed without userErrors get a sync_errors row and are pushed one by one now, and
     * products whose PIM content changed since staging (a publish may have landed before this line and been
     * overwritten by it) are pushed again, so Shopify never keeps content older than the PIM's.
     */
    async applyBulkResults(
      url: string | null,
      manifestKey: string,
    ): Promise<{ synced: number; failed: number; retried: number }> {
      const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: manifestKey }));
      const manifest = JSON.parse(await object.Body!.transformToString()) as [number, string][];
      let synced = 0;
      let failed = 0;
      const seen = new Set<number>();
      const applied: [number, string][] = [];
      const retry: number[] = [];
      const pending: Promise<void>[] = [];
      for await (const line of url ? streamBulkResults<BulkLine>(url) : []) {
        const [pimId, hash] = manifest[line.__lineNumber] ?? [];
        if (pimId === undefined || seen.has(line.__lineNumber)) continue;
        seen.add(line.__lineNumber);
        const payload = line.data?.productSet;
        if (payload?.product && !payload.userErrors.length) {
          applied.push([pimId, hash!]);
          const product = payload.product;
          // A product with more variants than the line returned: the rest are read before the mapping is written.
          pending.push(withAllVariants(deps.shopify, product).then((all) => writeMapping(deps.pim, pimId, all, hash!)));
        } else if (payload?.userErrors.some((e) => e.code === 'PRODUCT_VARIANT_DOES_NOT_EXIST')) {
          retry.push(pimId); // the mapping names variants Shopify lost: the single push takes Shopify's ids
        } else if (payload?.userErrors.length) {
          failed++; // Shopify rejected the content: retrying the same content cannot help.
          const problems = payload.userErrors.map((e) => ({
            code: e.code ?? 'SHOPIFY_USER_ERROR',
            message: `${(e.field ?? []).join('.')}: ${e.message}`,
          }));
          pending.push(recordSyncError(deps.pim, pimId, problems));
        } else {
          retry.push(pimId);
          const message = (line.errors ?? []).map((e) => e.message).join('; ') || 'no result';
          pending.push(recordSyncError(deps.pim, pimId, [{ code: 'BULK_LINE_FAILED', message }]));
        }
        if (pending.length >= 50) {
          await Promise.all(pending.splice(0));
          Context.current().heartbeat(seen.size);
        }
      }
      manifest.forEach(([pimId], i) => {
        if (seen.has(i)) return;
        retry.push(pimId);
        const message = `the bulk operation's result has no line ${i} (operation failed or partial)`;
        pending.push(recordSyncError(deps.pim, pimId, [{ code: 'BULK_LINE_MISSING', message }]));
      });
      await Promise.all(pending);
      const stale = await changedSince(applied);
      synced += applied.length - stale.length;
      let next = 0;
      const queue = [...retry.map((id) => ({ id, force: false })), ...stale.map((id) => ({ id, force: true }))];
      const work = async () => {
        while (next < queue.length) {
          const { id, force } = queue[next++]!;
          const r = await catalog.pushProduct(id, { force });
          if (r.status === 'Invalid') failed++;
          else synced++;
          Context.current().heartbeat(seen.size + next);
        }
      };
      await Promise.all(Array.from({ length: Math.min(16, queue.length) }, work));
      return { synced, failed, retried: queue.length };
    },
  };

  /** Products whose current PIM content hash differs from the hash a bulk line sent (or that left the PIM). */
  async function changedSince(sent: [number, string][]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < sent.length; i += 500) {
      const slice = sent.slice(i, i + 500);
      const prepared = await prepareProducts(
        deps.pim,
        slice.map(([id]) => id),
      );
      for (const [id, hash] of slice) if (prepared.get(id)?.hash !== hash) out.push(id);
      Context.current().heartbeat(i);
    }
    return out;
  }
}
