import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  LightspeedClient,
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
  salePageRows,
  type SalePageRows,
} from '../../domain/extraction/lightspeed-tables';
import { writeDeadLetter } from '../../lake/dead-letters';
import { writeLakeTable, writeRawPage, type Lake } from '../../lake/lake-writer';

/** Sales completed in [from, to) (a day, a backfill range) or changed in [since, until] (incremental). */
export type SalesWindow =
  { kind: 'completed'; from: string; to: string } | { kind: 'changed'; since: string; until: string };

export interface ExtractSalesInput {
  shopId: number;
  window: SalesWindow;
  /** Lines buffered before a write to the lake (default 20,000). */
  flushLines?: number;
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
}

interface Progress {
  /** The page to fetch next: everything before it is in the lake. */
  next: string;
  totals: ExtractTotals;
}

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

const heartbeat = (p: Progress) => {
  try {
    Context.current().heartbeat(p);
  } catch {
    /* outside an activity (bench, tests): nothing to report to */
  }
};
const resumed = (): Progress | undefined => {
  try {
    return Context.current().info.heartbeatDetails as Progress | undefined;
  } catch {
    return undefined;
  }
};

/**
 * Sales of one shop in a window → lake tables lightspeed/sales, sale_lines, payments, tax_lines (+ raw pages).
 * Pages are fetched while the previous batch is written; the heartbeat names the first page not yet written, so a
 * retry after a crash continues there, and rows written twice collapse by key: nothing lost, nothing doubled.
 */
export function createLightspeedSalesActivities(d: { client: () => Promise<LightspeedClient>; lake: Lake }) {
  async function writeBatch(rows: SalePageRows, totals: ExtractTotals, request: unknown): Promise<void> {
    const results = await Promise.all(
      (
        [
          [lightspeedSales, rows.sales],
          [lightspeedSaleLines, rows.lines],
          [lightspeedPayments, rows.payments],
          [lightspeedTaxLines, rows.taxLines],
        ] as const
      ).map(([table, r]) => (r.length ? writeLakeTable(d.lake, { ...table, rows: r }) : undefined)),
    );
    for (const r of results) {
      if (!r) continue;
      totals.quarantined += r.quarantined;
      if (r.deadLetter) totals.deadLetters.push(r.deadLetter);
      for (const f of r.newUnknownFields) if (!totals.newUnknownFields.includes(f)) totals.newUnknownFields.push(f);
    }
    void request;
  }

  return {
    async lightspeedExtractSales(input: ExtractSalesInput): Promise<ExtractTotals> {
      try {
        const client = await d.client();
        const progress: Progress = resumed() ?? {
          next: client.url('Sale', saleQuery(input.shopId, input.window)),
          totals: emptyTotals(),
        };
        const totals = progress.totals;
        const flushAt = input.flushLines ?? 20_000;
        const empty = (): SalePageRows => ({ sales: [], lines: [], payments: [], taxLines: [] });
        let buffer = empty();
        let bufferedPages = 0;
        let written = progress.next;
        let writing: Promise<void> | undefined;
        // Counts move into the totals only once their rows are written, so a resumed run counts nothing twice.
        const flush = async (next: string) => {
          const [batch, pages] = [buffer, bufferedPages];
          [buffer, bufferedPages] = [empty(), 0];
          await writing;
          writing = writeBatch(batch, totals, { shopId: input.shopId, window: input.window }).then(() => {
            totals.pages += pages;
            totals.sales += batch.sales.length;
            totals.lines += batch.lines.length;
            totals.payments += batch.payments.length;
            totals.taxLines += batch.taxLines.length;
            written = next;
            heartbeat({ next, totals });
          });
        };
        let url = progress.next;
        while (url) {
          const page = await client.get(url);
          const rows = salePageRows(page.body);
          await writeRawPage(d.lake, 'lightspeed', 'sales', {
            pageId: `shop-${input.shopId}/${new Date().toISOString()}`,
            records: LightspeedClient.records(page, 'Sale'),
          });
          bufferedPages++;
          for (const k of ['sales', 'lines', 'payments', 'taxLines'] as const) buffer[k].push(...rows[k]);
          url = page.next;
          if (buffer.lines.length >= flushAt || !url) await flush(url);
          else heartbeat({ next: written, totals });
        }
        await writing;
        return totals;
      } catch (e) {
        if (e instanceof LightspeedPageError) {
          const key = await writeDeadLetter(d.lake, {
            source: 'lightspeed',
            entity: 'sales',
            kind: 'page',
            reason: e.reason,
            request: { url: redactUrl(e.url) },
            response: { status: e.status, body: e.body },
          });
          throw ApplicationFailure.nonRetryable(`${e.message} (dead letter ${key})`, 'LightspeedPageUnreadable', {
            deadLetter: key,
          });
        }
        throw lightspeedFailure(e);
      }
    },
  };
}
