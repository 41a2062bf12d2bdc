import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  findStartedBulkOperation,
  getBulkOperation,
  getOrderRefunds,
  RETRYABLE_BULK_START_CODES,
  ShopifyClient,
  ShopifyUserError,
  startBulkQuery,
  streamBulkResults,
  waitForBulkOperation,
} from '../../connectors/shopify';
import type { LakeTableDef } from '../../domain/extraction/lake-tables';
import { backfillQuery, BulkRowJoiner, merge, type BackfillEntity } from '../../domain/extraction/shopify-backfill';
import { orderRows } from '../../domain/extraction/shopify-rows';
import { SHOPIFY_REFUND_LINES } from '../../domain/extraction/shopify-tables';
import { readCursor, writeCursor } from '../../lake/lake-cursors';
import { writeLakeTable, type Lake } from '../../lake/lake-writer';
import { shopKey } from './window-progress';

export interface BackfillChunk {
  entity: BackfillEntity;
  from: string;
  to: string;
}

/**
 * A chunk's state, kept in the lake beside the cursors (`_cursors/shopify/<shop>/backfill/<entity>/<from>_<to>`):
 * the bulk operation it reads and how many of its JSONL lines are in the lake. Written after each batch's rows,
 * so a restarted backfill (another workflow run, another worker) adopts the operation and goes on from `line`.
 */
export interface BackfillChunkState {
  operationId: string | null;
  line: number;
  done: boolean;
  rows?: number;
}

export interface BackfillChunkResult extends BackfillChunk {
  operationId: string;
  lines: number;
  rows: number;
  quarantined: number;
  refundReads: number;
  /** Child lines whose parent never came (a truncated result): reported, not written. */
  unmatched: number;
}

const BATCH_LINES = 5_000;
/** Refund reads in flight at once (each waits its turn in the shop's shared cost budget). */
const REFUND_READS = 4;

export const backfillChunkName = (shop: string, c: BackfillChunk) =>
  `shopify/${shopKey(shop)}/backfill/${c.entity}/${c.from}_${c.to}`;

/**
 * Historical backfill of Shopify → lake through bulk queries (domain/extraction/shopify-backfill.ts says which):
 * `startShopifyBackfillChunk` starts or adopts a chunk's operation, `ingestShopifyBackfillChunk` waits for it and
 * writes its lines into the same tables as the incremental extraction, in batches, checkpointing the line reached
 * after every batch (heartbeat and lake). The lake's dedup (newest updated_at wins) absorbs any line written twice.
 */
export function createShopifyBackfillActivities(deps: {
  shopify: ShopifyClient;
  lake: Lake;
  shop: string;
  batchLines?: number;
}) {
  // bulkOperationRunQuery is not idempotent: this client never retries a start; the activity asks Shopify first.
  const once = new ShopifyClient({ ...deps.shopify.config, maxAttempts: 1 });
  const stateOf = (c: BackfillChunk) => readCursor<BackfillChunkState>(deps.lake, backfillChunkName(deps.shop, c));
  const save = (c: BackfillChunk, s: BackfillChunkState) =>
    writeCursor<BackfillChunkState>(deps.lake, backfillChunkName(deps.shop, c), s);

  /** Refund lines of the orders in `ids` (a bulk query cannot reach them: a connection inside a list field). */
  async function refundLineRows(ids: string[], parents: (id: string) => Record<string, unknown> | undefined) {
    const rows: Record<string, unknown>[] = [];
    const todo = [...ids];
    const next = async (): Promise<void> => {
      const id = todo.pop();
      if (!id) return;
      const refunds = await getOrderRefunds(deps.shopify, id);
      const parent = parents(id);
      if (refunds && parent) {
        const tables = orderRows([{ ...parent, refunds, lineItems: { nodes: [] } } as Record<string, unknown>]);
        rows.push(...(tables.find((t) => t.table === SHOPIFY_REFUND_LINES)?.rows ?? []));
      }
      return next();
    };
    await Promise.all(Array.from({ length: REFUND_READS }, next));
    return rows;
  }

  return {
    /**
     * The chunk's bulk operation: the one its state names if that is still running or completed, else the one a
     * lost reply started (same document, found by search), else a new one. `done` when the chunk is in the lake.
     */
    async startShopifyBackfillChunk(c: BackfillChunk): Promise<{ operationId: string | null; done: boolean }> {
      const state = await stateOf(c);
      if (state?.done) return { operationId: state.operationId, done: true };
      if (state?.operationId) {
        const op = await getBulkOperation(deps.shopify, state.operationId);
        if (op && ['CREATED', 'RUNNING', 'COMPLETED'].includes(op.status)) return { operationId: op.id, done: false };
      }
      const query = backfillQuery(c.entity, c.from, c.to);
      // Started by an earlier attempt of this call whose reply (or state write) was lost: Shopify keeps each
      // operation's document. Only since this call was scheduled: an older operation of the same window holds
      // older data, and a restarted backfill finds its predecessor's operation in the chunk state instead.
      const since = new Date(Context.current().info.scheduledTimestampMs - 5_000).toISOString();
      const adopt = () => findStartedBulkOperation(deps.shopify, query, since, 'query');
      const found = await adopt();
      let operationId: string;
      if (found) operationId = found;
      else
        try {
          operationId = (await startBulkQuery(once, query)).id;
        } catch (err) {
          const existing = await adopt().catch(() => null);
          if (!existing) {
            if (err instanceof ShopifyUserError && err.codes.every((code) => RETRYABLE_BULK_START_CODES.has(code)))
              throw ApplicationFailure.retryable(err.message, 'BulkStartNotNow', err.userErrors);
            throw err;
          }
          operationId = existing;
        }
      await save(c, { operationId, line: 0, done: false });
      return { operationId, done: false };
    },

    /**
     * Waits for the operation, then streams its lines into the lake in batches. Resumes from the furthest
     * checkpoint (heartbeat or lake state) of the same operation; the lines before it are replayed without writing,
     * so the joiner knows their parents. An operation that ended without results clears the chunk's state and
     * fails (type BackfillOperationEnded, not retried with the same operation): the workflow starts the chunk again.
     */
    async ingestShopifyBackfillChunk(
      input: BackfillChunk & { operationId: string; batchLines?: number },
    ): Promise<BackfillChunkResult> {
      const ctx = Context.current();
      const { operationId, batchLines: perCall, ...c } = input;
      const beat = ctx.info.heartbeatDetails as (BackfillChunkState & { operationId: string }) | undefined;
      const saved = await stateOf(c);
      const from = Math.max(
        beat?.operationId === operationId ? beat.line : 0,
        saved?.operationId === operationId ? saved.line : 0,
      );
      const progress: BackfillChunkState = { operationId, line: from, done: false, rows: saved?.rows ?? 0 };
      const op = await waitForBulkOperation(deps.shopify, operationId, {
        intervalMs: 500,
        onPoll: () => ctx.heartbeat(progress),
      });
      if (op.status !== 'COMPLETED') {
        await save(c, { operationId: null, line: 0, done: false });
        throw ApplicationFailure.nonRetryable(
          `bulk operation ${operationId} ended ${op.status} (${op.errorCode ?? 'no error code'}); the chunk starts again`,
          'BackfillOperationEnded',
        );
      }
      const joiner = new BulkRowJoiner(c.entity);
      const batchLines = perCall ?? deps.batchLines ?? BATCH_LINES;
      let pending: { table: LakeTableDef; rows: Record<string, unknown>[] }[] = [];
      let raw: unknown[] = [];
      let quarantined = 0;
      let refundReads = 0;
      let index = 0;
      const flush = async () => {
        const refunded = joiner.refunded.splice(0);
        if (refunded.length) {
          refundReads += refunded.length;
          const rows = await refundLineRows(refunded, (id) => joiner.parent(id));
          pending = merge(pending, [{ table: SHOPIFY_REFUND_LINES, rows }]);
        }
        const pageId = `backfill/${c.entity}/${c.from}_${c.to}/${String(progress.line).padStart(9, '0')}`;
        for (const [i, { table, rows }] of pending.entries()) {
          const r = await writeLakeTable(deps.lake, {
            ...table,
            rows,
            ...(i === 0
              ? { raw: { pageId, request: { operationId, lines: [progress.line, index] }, records: raw } }
              : {}),
          });
          progress.rows = (progress.rows ?? 0) + r.written;
          quarantined += r.quarantined;
        }
        pending = [];
        raw = [];
        progress.line = index;
        await save(c, progress);
        ctx.heartbeat(progress);
      };
      for await (const line of streamBulkResults<Record<string, unknown> & { __parentId?: string }>(op.url)) {
        if (index < from) {
          joiner.push(line, false);
          index++;
          continue;
        }
        pending = merge(pending, joiner.push(line));
        raw.push(line);
        index++;
        if (index - progress.line >= batchLines) await flush();
      }
      if (index > progress.line || !op.url) await flush();
      progress.done = true;
      await save(c, progress);
      if (joiner.unmatched)
        ctx.log.warn('bulk lines whose parent never came (not written)', { ...c, unmatched: joiner.unmatched });
      return {
        ...c,
        operationId,
        lines: index,
        rows: progress.rows ?? 0,
        quarantined,
        refundReads,
        unmatched: joiner.unmatched,
      };
    },
  };
}
