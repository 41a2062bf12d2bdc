import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool } from 'mysql2/promise';
import type { Movement } from '../../domain/inventory/movements';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { keepAlive } from '../channels/keep-alive';
import type { ApplyResult, Ledger } from './ledger';
import { pickUpPass, type PickupPass } from './stock-pickup';
import { wakeStockPusher } from './stock-signals';

export interface PickupReport {
  passes: number;
  read: number;
  applied: number;
  duplicates: number;
  rejected: number;
  incidents: number;
  retries: number;
  signalled: number;
  posSaleId: number;
  stockUpdatedAt: string | null;
}

/** The ledger's activities on the data queue: apply movements, the continuous store pickup, the lag sweep. */
export function createLedgerActivities(deps: {
  store: Pool;
  inventory: Pool;
  ledger: Ledger;
  temporal: () => Promise<Client>;
  laggingSkus: (olderThanMs: number, limit?: number) => Promise<string[]>;
}) {
  const pushQueue = () => taskQueueFor('shopify', Context.current().info.taskQueue);
  // The SKUs a commit changed are pending in sku_sync (pushed_version < ledger_version): one wake-up of the batched
  // pusher serves them all. Returns how many SKUs it was woken for.
  const signal = async (all: { sku: string; storeCode?: string }[]) => {
    if (!all.length) return 0;
    await wakeStockPusher(await deps.temporal(), pushQueue());
    return new Set(all.map((c) => c.sku)).size;
  };
  const add = (report: PickupReport, pass: PickupPass) => {
    report.passes++;
    report.read += pass.read;
    report.applied += pass.applied;
    report.duplicates += pass.duplicates;
    report.rejected += pass.rejected;
    report.incidents += pass.incidents;
    report.retries += pass.retries;
    report.posSaleId = pass.posSaleId;
    report.stockUpdatedAt = pass.stockUpdatedAt;
  };

  return {
    /** `Ledger.applyMovements` as an activity; the SKUs it changed are pushed (signalled after the commit). */
    async applyMovements(
      movements: Movement[],
      source: string,
    ): Promise<Omit<ApplyResult, 'incidents'> & { incidents: number }> {
      const r = await deps.ledger.applyMovements(movements, { source });
      const at = new Map(movements.map((m) => [m.sku, m.location]));
      await signal(r.changedSkus.map((sku) => ({ sku, storeCode: at.get(sku) })));
      return { ...r, incidents: r.incidents.length };
    },

    /**
     * Picks up POS sales and stock counts for `runForMs`, a pass every `pollMs`, signalling the pushes of what
     * changed after each pass; every `sweepEveryMs` it also re-signals SKUs whose change has not reached Shopify
     * for `sweepAfterMs` (a signal lost to a crash between commit and signal). Heartbeats each pass, each page, and
     * every second while the process lives (keepAlive), so the workflow's short heartbeat timeout gives up only a
     * dead worker's attempt.
     */
    pickUpStoreStock(opts: {
      runForMs: number;
      pollMs: number;
      sweepAfterMs?: number;
      notify?: boolean;
    }): Promise<PickupReport> {
      return keepAlive(() => pickUp(opts));
    },
  };

  async function pickUp(opts: {
    runForMs: number;
    pollMs: number;
    sweepAfterMs?: number;
    notify?: boolean;
  }): Promise<PickupReport> {
    const until = Date.now() + opts.runForMs;
    const report: PickupReport = {
      passes: 0,
      read: 0,
      applied: 0,
      duplicates: 0,
      rejected: 0,
      incidents: 0,
      retries: 0,
      signalled: 0,
      posSaleId: 0,
      stockUpdatedAt: null,
    };
    const notify = opts.notify ?? true;
    let sweptAt = 0;
    const ctx = Context.current();
    // A heartbeat per page, not per pass: a pass of a big backlog outlasts the heartbeat timeout, and a timed-out
    // attempt still running beside its retry would race it for the same levels. A given-up attempt stops.
    const onPage = () => {
      ctx.heartbeat(report);
      if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('pickup cancelled');
    };
    do {
      const pass = await pickUpPass(deps, { onPage });
      add(report, pass);
      if (notify) report.signalled += await signal(pass.changes);
      if (notify && Date.now() - sweptAt > (opts.sweepAfterMs ?? 10_000)) {
        sweptAt = Date.now();
        report.signalled += await signal((await deps.laggingSkus(opts.sweepAfterMs ?? 10_000)).map((sku) => ({ sku })));
      }
      Context.current().heartbeat(report);
      if (pass.read === 0 || pass.applied === 0) await new Promise((r) => setTimeout(r, opts.pollMs));
    } while (Date.now() < until && !ctx.cancellationSignal.aborted);
    return report;
  }
}
