import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import {
  LightspeedClient,
  type LightspeedPage,
  LightspeedNotConnected,
  LightspeedPageError,
  LightspeedReauthorizationRequired,
  LightspeedRequestError,
  redactUrl,
} from '../../connectors/lightspeed';
import {
  lightspeedPayments,
  lightspeedSaleLines,
  lightspeedSales,
  lightspeedTaxLines,
  type SalePageRows,
} from '../../domain/extraction/lightspeed-tables';
import { pageParser, type TableRows } from '../../domain/extraction/page-parsers';
import { LIGHTSPEED_SALES_PAGE } from '../../domain/extraction/source-pages';
import { writeDeadLetter } from '../../lake/dead-letters';
import { openLakeTableWriter, writeRawPage, type Lake } from '../../lake/lake-writer';
import { heartbeat, resumedProgress } from './window-progress';

/** Sales completed in [from, to) (a day, a backfill range) or changed in [since, until] (incremental). */
export type SalesWindow =
  { kind: 'completed'; from: string; to: string } | { kind: 'changed'; since: string; until: string };

export interface ExtractSalesInput {
  shopId: number;
  window: SalesWindow;
  /** Lines staged before a write to the lake is started (default 20,000). */
  flushLines?: number;
  /**
   * While a write is still running, a full batch keeps staging (NDJSON on local disk, not memory) instead of holding
   * up the fetching, up to this many bytes staged (default STAGE_LIMIT_BYTES); only then does it wait for the write.
   */
  stageLimitBytes?: number;
}

export interface ExtractTotals {
  pages: number;
  sales: number;
  lines: number;
  payments: number;
  taxLines: number;
  quarantined: number;
  deadLetters: string[];
  newUnknownFields: string[];
  /** The dead letter of an unreadable page the window stopped at (its rest is read again by the next run). */
  incomplete?: string;
}

interface Progress {
  /** The page to fetch next: everything before it is in the lake. */
  next: string;
  totals: ExtractTotals;
}

/**
 * A shop's staging bound while its previous write runs: 1 GiB of local disk, about two million sale lines with their
 * sales, payments and tax lines, so a lake slower than the bucket (a busy worker, real S3) never holds up the
 * fetching of a window of that size. It was ten batches (200,000 lines): a commit slower than ~100 s stopped the
 * requests.
 */
export const STAGE_LIMIT_BYTES = 1 << 30;

const emptyTotals = (): ExtractTotals => ({
  pages: 0,
  sales: 0,
  lines: 0,
  payments: 0,
  taxLines: 0,
  quarantined: 0,
  deadLetters: [],
  newUnknownFields: [],
});

const asSalePageRows = (t: TableRows): SalePageRows => {
  const of = (table: unknown) => t.find((x) => x.table === table)?.rows ?? [];
  return {
    sales: of(lightspeedSales),
    lines: of(lightspeedSaleLines),
    payments: of(lightspeedPayments),
    taxLines: of(lightspeedTaxLines),
  };
};

/** Lightspeed's `><` is inclusive and sale times are whole seconds: [from, to) is from … to − 1 s. */
const lastSecondBefore = (iso: string) => new Date(Date.parse(iso) - 1000).toISOString();

export function saleQuery(shopId: number, w: SalesWindow): Record<string, string> {
  const filter: Record<string, string> =
    w.kind === 'completed'
      ? { completeTime: `><,${w.from},${lastSecondBefore(w.to)}` }
      : { timeStamp: `><,${w.since},${w.until}` };
  return {
    shopID: String(shopId),
    completed: 'true',
    load_relations: JSON.stringify(['SaleLines', 'SalePayments']),
    limit: '100',
    ...filter,
  };
}

/** Failures retrying cannot fix become non-retryable; the rest (network, 5xx, lock waits) retry. */
export function lightspeedFailure(e: unknown): unknown {
  if (e instanceof LightspeedReauthorizationRequired || e instanceof LightspeedNotConnected)
    return ApplicationFailure.nonRetryable(e.message, e.name);
  if (e instanceof LightspeedRequestError)
    return ApplicationFailure.nonRetryable(e.message, e.name, { status: e.status });
  return e;
}

/**
 * Sales of one shop in a window → lake tables lightspeed/sales, sale_lines, payments, tax_lines (+ raw pages).
 * Fetching never waits for the lake: the next page is requested as soon as a page arrives (its link is in the body),
 * each page is validated and staged (local disk) as it arrives, its raw page stored alongside, and once a batch
 * holds `flushLines` lines it is committed to the four tables while the next pages are fetched into a fresh batch.
 * A batch that fills while the previous commit still runs (a slow or busy lake) keeps growing on local disk, so the
 * bucket is used at the rate it allows and each commit merges more per partition rewrite; only past
 * `stageLimitBytes` (1 GiB) does fetching wait for the lake. The
 * heartbeat names the first page not yet committed, so a retry after a crash continues there, and rows written
 * twice collapse by key: nothing lost, nothing doubled. Shops extracted at once share the partitions of a day; the
 * writer merges their concurrent commits into one rewrite per partition.
 */
export function createLightspeedSalesActivities(d: { client: () => Promise<LightspeedClient>; lake: Lake }) {
  const tables = [
    ['sales', lightspeedSales],
    ['lines', lightspeedSaleLines],
    ['payments', lightspeedPayments],
    ['taxLines', lightspeedTaxLines],
  ] as const;

  /** One batch of pages: a staging writer per table, the raw pages being stored, the counts it will add. */
  function openBatch() {
    const writers = tables.map(([k, table]) => [k, openLakeTableWriter(d.lake, table)] as const);
    const raws: Promise<string>[] = [];
    const counts = { pages: 0, sales: 0, lines: 0, payments: 0, taxLines: 0 };
    return {
      counts,
      /** What the batch holds on local disk. */
      stagedBytes: () => writers.reduce((n, [, w]) => n + w.stagedBytes, 0),
      async add(rows: SalePageRows, raw: Promise<string>) {
        raw.catch(() => undefined); // awaited at commit; never an unhandled rejection meanwhile
        raws.push(raw);
        counts.pages++;
        for (const [k, w] of writers) {
          counts[k] += rows[k].length;
          if (rows[k].length) await w.add(rows[k]);
        }
      },
      async commit(totals: ExtractTotals) {
        try {
          await Promise.all(raws);
          const results = await Promise.all(writers.map(([, w]) => (w.stagedRows ? w.commit() : undefined)));
          for (const r of results) {
            if (!r) continue;
            totals.quarantined += r.quarantined;
            if (r.deadLetter) totals.deadLetters.push(r.deadLetter);
            for (const f of r.newUnknownFields)
              if (!totals.newUnknownFields.includes(f)) totals.newUnknownFields.push(f);
          }
        } finally {
          for (const [, w] of writers) w.close();
        }
      },
      close() {
        for (const [, w] of writers) w.close();
      },
    };
  }

  /** A page dead letter: the request (URL without secrets), the reply as received, why; one per reply (hash id). */
  const pageLetter = (url: string, status: number, body: string, reason: string) =>
    writeDeadLetter(d.lake, {
      id: createHash('sha256').update(url).update(body).digest('hex').slice(0, 32),
      source: 'lightspeed',
      entity: 'sales',
      kind: 'page',
      parser: LIGHTSPEED_SALES_PAGE,
      reason,
      request: { url: redactUrl(url) },
      response: { status, body },
    });

  return {
    async lightspeedExtractSales(input: ExtractSalesInput): Promise<ExtractTotals> {
      let batch: ReturnType<typeof openBatch> | undefined;
      let writing: Promise<void> | undefined;
      try {
        const client = await d.client();
        const progress: Progress = resumedProgress<Progress>() ?? {
          next: client.url('Sale', saleQuery(input.shopId, input.window)),
          totals: emptyTotals(),
        };
        const totals = progress.totals;
        const flushAt = input.flushLines ?? 20_000;
        const stageLimit = input.stageLimitBytes ?? STAGE_LIMIT_BYTES;
        let written = progress.next;
        let committing = false;
        // Counts move into the totals only once their rows are written, so a resumed run counts nothing twice.
        const flush = async (next: string) => {
          const b = batch!;
          batch = undefined;
          await writing;
          committing = true;
          writing = b
            .commit(totals)
            .then(() => {
              for (const k of ['pages', 'sales', 'lines', 'payments', 'taxLines'] as const) totals[k] += b.counts[k];
              written = next;
              heartbeat({ next, totals });
            })
            .finally(() => (committing = false));
          // A failed commit fails the activity at the next flush or at the end, never unhandled.
          writing.catch(() => undefined);
        };
        const pages = client.pages('Sale', {}, progress.next, { prefetch: true });
        for (;;) {
          let page: LightspeedPage;
          try {
            const r = await pages.next();
            if (r.done) break;
            page = r.value;
          } catch (e) {
            if (!(e instanceof LightspeedPageError)) throw e;
            // Unreadable after the client's retries: kept, and the window stops here, since the link to the next
            // page is inside this body. The shop's other windows and the other shops go on; an incremental cursor
            // stays before this window, so the next run reads it again and nothing is lost.
            totals.incomplete = await pageLetter(e.url, e.status, e.body, e.reason);
            if (!totals.deadLetters.includes(totals.incomplete)) totals.deadLetters.push(totals.incomplete);
            if (batch) await flush(e.url);
            break;
          }
          let rows: SalePageRows;
          try {
            rows = asSalePageRows(pageParser(LIGHTSPEED_SALES_PAGE)!(page.body));
          } catch (e) {
            // A reply this code cannot read: kept with its parser for a replay after the fix; the window goes on.
            const key = await pageLetter(page.url, 200, page.text, (e as Error).message);
            if (!totals.deadLetters.includes(key)) totals.deadLetters.push(key);
            rows = { sales: [], lines: [], payments: [], taxLines: [] };
          }
          batch ??= openBatch();
          await batch.add(
            rows,
            writeRawPage(d.lake, 'lightspeed', 'sales', {
              pageId: `shop-${input.shopId}/${new Date().toISOString()}`,
              records: LightspeedClient.records(page, 'Sale'),
            }),
          );
          const url = page.next;
          const full = batch.counts.lines >= flushAt;
          if (!url || (full && (!committing || batch.stagedBytes() >= stageLimit))) await flush(url);
          else heartbeat({ next: written, totals });
        }
        await writing;
        return totals;
      } catch (e) {
        throw lightspeedFailure(e);
      } finally {
        batch?.close();
        await writing?.catch(() => undefined);
      }
    },
  };
}
