import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { signalChannelSync, SYNCED_CHANNELS } from './channel-signals';
import { keptAlive } from './keep-alive';

/** A commit can land with a `changed_at` a little older than one already read: each poll re-reads this much. */
const OVERLAP_MS = 2_000;
/** Clocks of the ledger's writers and of this watch may differ by this much (the window below allows for it). */
const CLOCK_SLACK_MS = 5_000;
const CURSOR = 'ledger-watch';
/** SKUs per read and per signal. */
const PAGE = 5000;

/**
 * Ledger changes → every Amazon channel: polls the ledger's per-SKU change counter (`sku_sync.changed_at`) for
 * `runForMs`, and signals `channel-sync/<channel>` with the SKUs that changed. Each channel's workflow runs on its
 * own, so one that is slow or failing holds up no other. The position is kept in `channel_cursors`, so a
 * restarted watch misses nothing (re-signalled SKUs are coalesced by the channel workflow).
 */
export function createLedgerWatchActivities(deps: { inventory: Pool; channels: Pool; temporal(): Promise<Client> }) {
  return keptAlive({
    async watchLedger(input: {
      runForMs: number;
      pollMs: number;
    }): Promise<{ signalled: number; polls: number; rowsRead: number }> {
      const client = await deps.temporal();
      const queue = Context.current().info.taskQueue;
      const [[cur]] = await deps.channels.query<RowDataPacket[]>(
        'SELECT position FROM channel_cursors WHERE name = ?',
        [CURSOR],
      );
      let mark = cur ? new Date(cur.position as string) : new Date(0);
      const seen = new Map<string, number>();
      const end = Date.now() + input.runForMs;
      let signalled = 0;
      let polls = 0;
      let rowsRead = 0;
      /** The last (changed_at, sku) read, and when the poll before this one started (this run only). */
      let last: [Date, string] | null = null;
      let polledAt = 0;
      const before = (a: [Date, string], b: [Date, string]) =>
        a[0].getTime() < b[0].getTime() || (a[0].getTime() === b[0].getTime() && a[1] < b[1]);
      while (Date.now() < end) {
        polls++;
        // Keyset pages by (changed_at, sku) from the mark minus the overlap: one ledger commit stamps every SKU it
        // changed with the same changed_at, so a page of a long commit must start after the last SKU read, not
        // after its time (LIMIT on the time alone re-read the same first page for ever). A row that becomes visible
        // after a poll was stamped at most the overlap (and the clocks' slack) before that poll began, so once this
        // run has read past that, a poll starts after the last row read: a large commit's rows are not read again
        // on every poll for as long as no newer commit moves the mark (4 reads of 10,000 rows a second, before).
        let from: [Date, string] = [new Date(mark.getTime() - OVERLAP_MS), ''];
        if (last && polledAt) {
          const late: [Date, string] = [new Date(polledAt - OVERLAP_MS - CLOCK_SLACK_MS), ''];
          const start = before(last, late) ? last : late;
          if (before(from, start)) from = start;
        }
        polledAt = Date.now();
        for (;;) {
          const [rows] = await deps.inventory.query<RowDataPacket[]>(
            'SELECT sku, stock_version, changed_at FROM sku_sync WHERE (changed_at, sku) > (?, ?) ORDER BY changed_at, sku LIMIT ?',
            [...from, PAGE],
          );
          rowsRead += rows.length;
          // The ledger's own changes (stock_version), not a request that Shopify look again (which bumps
          // ledger_version and changed_at too): an Amazon confirm asks Shopify to look at its SKUs, and before, that
          // sent every one of them back to every Amazon channel to be planned again (10,000 SKUs mid re-sync).
          const changed = rows.filter((r) => seen.get(r.sku) !== Number(r.stock_version)).map((r) => r.sku as string);
          for (const r of rows) seen.set(r.sku, Number(r.stock_version));
          if (changed.length) {
            for (const channel of SYNCED_CHANNELS) await signalChannelSync(client, queue, channel, changed);
            signalled += changed.length;
          }
          const tail = rows.at(-1);
          if (tail && (!last || before(last, [tail.changed_at as Date, tail.sku as string])))
            last = [tail.changed_at as Date, tail.sku as string];
          if (tail && (tail.changed_at as Date) > mark) {
            mark = tail.changed_at as Date;
            await deps.channels.query(
              'INSERT INTO channel_cursors (name, position) VALUES (?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position)',
              [CURSOR, mark.toISOString()],
            );
          }
          Context.current().heartbeat({ signalled, mark: mark.toISOString() });
          if (rows.length < PAGE) break;
          from = [tail!.changed_at as Date, tail!.sku as string];
        }
        if (seen.size > 50_000) seen.clear();
        await new Promise((r) => setTimeout(r, input.pollMs));
      }
      return { signalled, polls, rowsRead };
    },
  });
}
