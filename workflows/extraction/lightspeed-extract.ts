import { ApplicationFailure, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createLightspeedReconcileActivities } from '../../activities/extraction/lightspeed-reconcile';
import type { createLightspeedReferenceActivities } from '../../activities/extraction/lightspeed-reference';
import type { createLightspeedSalesActivities, ExtractTotals } from '../../activities/extraction/lightspeed-sales';
import type { ReconcileDayResult } from '../../activities/extraction/lightspeed-reconcile';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

type Activities = ReturnType<typeof createLightspeedSalesActivities> &
  ReturnType<typeof createLightspeedReconcileActivities> &
  ReturnType<typeof createLightspeedReferenceActivities>;

// Long windows heartbeat after every write; a dead worker's window resumes elsewhere within two minutes. Failures
// retrying cannot fix (token refused, 4xx) are non-retryable and stop only that shop; an unreadable page is a dead
// letter and the extraction goes on.
const lightspeed = (summary: string) =>
  withSummary(
    proxyActivities<Activities>({
      taskQueue: taskQueueFor('lightspeed', workflowInfo().taskQueue),
      startToCloseTimeout: '4 hours',
      heartbeatTimeout: '1 minute',
      retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 10 },
    }),
    summary,
  );

export interface ShopOutcome {
  shopId: number;
  totals?: ExtractTotals;
  reconciliation?: ReconcileDayResult;
  error?: string;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function perShop(run: (shopId: number) => Promise<Omit<ShopOutcome, 'shopId'>>): Promise<ShopOutcome[]> {
  const shops = await lightspeed('Lightspeed shops').lightspeedShopIds();
  const out: ShopOutcome[] = [];
  for (const shopId of shops) {
    try {
      out.push({ shopId, ...(await run(shopId)) });
    } catch (e) {
      // One shop's failure is recorded and the others still run.
      const message = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      log.warn('Lightspeed shop failed', { shopId, message });
      out.push({ shopId, error: message });
    }
  }
  return out;
}

/** One UTC day (default yesterday), every shop: reference snapshot, the day's sales, reconciliation with the reports. */
export async function lightspeedDaily(input: { day?: string } = {}): Promise<{ day: string; shops: ShopOutcome[] }> {
  const day = input.day ?? isoDay(Date.now() - DAY);
  await lightspeed(`shops, registers, items, stock · ${day}`).lightspeedExtractReference({ day });
  const from = `${day}T00:00:00.000Z`;
  const to = new Date(Date.parse(from) + DAY).toISOString();
  const shops = await perShop(async (shopId) => {
    const totals = await lightspeed(`sales · shop ${shopId} · ${day}`).lightspeedExtractSales({
      shopId,
      window: { kind: 'completed', from, to },
    });
    const reconciliation = await lightspeed(`reconcile · shop ${shopId} · ${day}`).lightspeedReconcileDay({
      shopId,
      day,
    });
    return { totals, reconciliation };
  });
  return { day, shops };
}

/** Sales changed since each shop's cursor; the cursor moves only after the window is written. */
export async function lightspeedIncremental(input: { firstSince?: string } = {}): Promise<ShopOutcome[]> {
  const firstSince = input.firstSince ?? new Date(Date.now() - DAY).toISOString();
  return perShop(async (shopId) => {
    const w = await lightspeed(`window · shop ${shopId}`).lightspeedSalesWindow({ shopId, firstSince });
    const totals = await lightspeed(`changed sales · shop ${shopId} · since ${w.since}`).lightspeedExtractSales({
      shopId,
      window: { kind: 'changed', ...w },
    });
    // A window that stopped at an unreadable page keeps its cursor: the next run reads the window again.
    if (totals.incomplete)
      log.warn('Lightspeed window incomplete, cursor kept', { shopId, deadLetter: totals.incomplete });
    else await lightspeed(`cursor · shop ${shopId} → ${w.until}`).lightspeedSaveSalesCursor({ shopId, until: w.until });
    return { totals };
  });
}

/** History: sales completed in [from, to) per shop, a month per activity (each resumable from its heartbeat). */
export async function lightspeedBackfill(input: {
  from: string;
  to: string;
  flushLines?: number;
}): Promise<ShopOutcome[]> {
  const [start, end] = [Date.parse(`${input.from}T00:00:00Z`), Date.parse(`${input.to}T00:00:00Z`)];
  if (!(start < end))
    throw ApplicationFailure.nonRetryable(`empty backfill range ${input.from} … ${input.to}`, 'BadRange');
  return perShop(async (shopId) => {
    const sum: ExtractTotals = {
      pages: 0,
      sales: 0,
      lines: 0,
      payments: 0,
      taxLines: 0,
      quarantined: 0,
      deadLetters: [],
      newUnknownFields: [],
    };
    for (let t = start; t < end; t += 31 * DAY) {
      const to = new Date(Math.min(end, t + 31 * DAY)).toISOString();
      const r = await lightspeed(
        `backfill · shop ${shopId} · ${new Date(t).toISOString().slice(0, 10)} … ${to.slice(0, 10)}`,
      ).lightspeedExtractSales({
        shopId,
        window: { kind: 'completed', from: new Date(t).toISOString(), to },
        flushLines: input.flushLines,
      });
      for (const k of ['pages', 'sales', 'lines', 'payments', 'taxLines', 'quarantined'] as const) sum[k] += r[k];
      sum.deadLetters.push(...r.deadLetters);
      sum.newUnknownFields.push(...r.newUnknownFields.filter((f) => !sum.newUnknownFields.includes(f)));
    }
    return { totals: sum };
  });
}
