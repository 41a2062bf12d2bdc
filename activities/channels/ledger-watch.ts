import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { signalChannelSync, SYNCED_CHANNELS } from './channel-signals';

/** A commit can land with a `changed_at` a little older than one already read: each poll re-reads this much. */
const OVERLAP_MS = 2_000;
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
  return {
    async watchLedger(input: { runForMs: number; pollMs: number }): Promise<{ signalled: number; polls: number }> {
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
      while (Date.now() < end) {
        polls++;
        // Keyset pages by (changed_at, sku) from the mark minus the overlap: one ledger commit stamps every SKU it
        // changed with the same changed_at, so a page of a long commit must start after the last SKU read, not
        // after its time (LIMIT on the time alone re-read the same first page for ever).
        let from: [Date, string] = [new Date(mark.getTime() - OVERLAP_MS), ''];
        for (;;) {
          const [rows] = await deps.inventory.query<RowDataPacket[]>(
            'SELECT sku, ledger_version, changed_at FROM sku_sync WHERE (changed_at, sku) > (?, ?) ORDER BY changed_at, sku LIMIT ?',
            [...from, PAGE],
          );
          const changed = rows.filter((r) => seen.get(r.sku) !== Number(r.ledger_version)).map((r) => r.sku as string);
          for (const r of rows) seen.set(r.sku, Number(r.ledger_version));
          if (changed.length) {
            for (const channel of SYNCED_CHANNELS) await signalChannelSync(client, queue, channel, changed);
            signalled += changed.length;
          }
          const last = rows.at(-1);
          if (last && (last.changed_at as Date) > mark) {
            mark = last.changed_at as Date;
            await deps.channels.query(
              'INSERT INTO channel_cursors (name, position) VALUES (?, ?) ON DUPLICATE KEY UPDATE position = VALUES(position)',
              [CURSOR, mark.toISOString()],
            );
          }
          Context.current().heartbeat({ signalled, mark: mark.toISOString() });
          if (rows.length < PAGE) break;
          from = [last!.changed_at as Date, last!.sku as string];
        }
        if (seen.size > 50_000) seen.clear();
        await new Promise((r) => setTimeout(r, input.pollMs));
      }
      return { signalled, polls };
    },
  };
}
