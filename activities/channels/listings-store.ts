import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Channel } from '../../domain/channels/channels';

/** A listing row as the senders need it. */
export interface PendingListing {
  sku: string;
  allocated: number;
  productType: string | null;
  /** What the channel last confirmed it offers, and when (null: never confirmed). */
  confirmed?: number | null;
  confirmedAt?: Date | null;
  /** Vendor Central: the allocation per warehouse. */
  split?: Record<string, number> | null;
  /** Seller Central: units sold before our last send and not read then, and when that was (`unread_held`). */
  unreadHeld?: number;
  heldAt?: Date | null;
}

/** Amazon shows an accepted listing change up to ~15 minutes later (sandbox/amazon/README.md). */
export const DEFAULT_APPLY_WINDOW_MS = 900_000;

/** Backoff of a failed SKU: 30 s (`baseMs`), doubling per failure in a row, at most an hour. */
export const retryDelayMs = (failures: number, baseMs = 30_000) =>
  Math.min(3_600_000, baseMs * 2 ** Math.max(0, failures - 1));

/**
 * The channels database's listing state, in plain parameterized SQL: the bulk paths (10,000 SKUs) need
 * multi-row upserts and conditional updates drizzle's builder cannot express in one statement.
 */
export function listingsStore(
  pool: Pool,
  opts: {
    retryBaseMs?: number;
    /** How long Amazon may still show a quantity it replaced (`replaced`; default 15 minutes). */
    applyWindowMs?: number;
  } = {},
) {
  return {
    /** Puts SKUs on a channel (idempotent; an enrolled SKU keeps its state, a new product type replaces the old). */
    async enroll(channel: Channel, skus: string[], productType: string | null): Promise<number> {
      let n = 0;
      for (let i = 0; i < skus.length; i += 1000) {
        // ledger_version -1: never planned. Its allocation of 0 is a placeholder, not sent until a plan sets one (a
        // large Vendor Central round sent the 3,000 SKUs of its later slices at 0, then again once planned).
        const rows = skus.slice(i, i + 1000).map((s) => [channel, s, productType, 0, -1]);
        const [r] = await pool.query<ResultSetHeader>(
          'INSERT INTO channel_listings (channel, sku, product_type, allocated, ledger_version) VALUES ? ' +
            'ON DUPLICATE KEY UPDATE product_type = COALESCE(VALUES(product_type), product_type)',
          [rows],
        );
        n += r.affectedRows;
      }
      return n;
    },

    async enrolledSkus(channel: Channel, skus?: string[]): Promise<string[]> {
      if (skus && !skus.length) return [];
      const [rows] = await pool.query<RowDataPacket[]>(
        skus
          ? 'SELECT sku FROM channel_listings WHERE channel = ? AND sku IN (?) ORDER BY sku'
          : 'SELECT sku FROM channel_listings WHERE channel = ? ORDER BY sku',
        skus ? [channel, skus] : [channel],
      );
      return rows.map((r) => r.sku as string);
    },

    /**
     * Sets each SKU's allocation. A SKU whose channel already confirmed that quantity stays accepted; a failed SKU
     * whose allocation did not change stays failed (its retry timer decides); anything else becomes pending.
     */
    async setAllocations(
      channel: Channel,
      rows: { sku: string; allocated: number; ledgerVersion: number; split?: Record<string, number> }[],
      ruleVersion: number,
    ): Promise<number> {
      let pending = 0;
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000);
        // A new split over warehouses with the same total is a change too (stock moved between warehouses). The
        // status is assigned before `split`, so it compares with the split in force.
        const same = '(split <=> VALUES(split))';
        await pool.query(
          'INSERT INTO channel_listings (channel, sku, allocated, split, ledger_version, rule_version) VALUES ? ' +
            'ON DUPLICATE KEY UPDATE ' +
            // A lower quantity than the channel may be offering goes now, even during a failed send's backoff: the
            // backoff spares Amazon a repeat of what failed, and a decrease is what keeps the channel from selling
            // stock that is gone (a FATAL feed held every SKU in it at its old quantity for the 30 s backoff).
            'retry_at = IF(VALUES(allocated) < GREATEST(COALESCE(sent, 0), COALESCE(confirmed, 0)), NULL, retry_at), ' +
            `status = IF(status = 'accepted' AND confirmed = VALUES(allocated) AND ${same}, 'accepted', ` +
            `IF(status = 'failed' AND sent = VALUES(allocated) AND ${same}, 'failed', IF(status = 'sent' AND sent = VALUES(allocated) AND ${same}, 'sent', 'pending'))), ` +
            'allocated = VALUES(allocated), split = VALUES(split), ledger_version = VALUES(ledger_version), rule_version = VALUES(rule_version)',
          [
            chunk.map((r) => [
              channel,
              r.sku,
              r.allocated,
              r.split ? JSON.stringify(r.split) : null,
              r.ledgerVersion,
              ruleVersion,
            ]),
          ],
        );
        const [[c]] = await pool.query<RowDataPacket[]>(
          "SELECT COUNT(*) AS n FROM channel_listings WHERE channel = ? AND sku IN (?) AND status = 'pending'",
          [channel, chunk.map((r) => r.sku)],
        );
        pending += Number(c?.n ?? 0);
      }
      return pending;
    },

    async pending(channel: Channel, limit: number): Promise<PendingListing[]> {
      const [rows] = await pool.query<RowDataPacket[]>(
        'SELECT sku, allocated, split, product_type, confirmed, confirmed_at, unread_held, held_at FROM channel_listings ' +
          "WHERE channel = ? AND status = 'pending' AND ledger_version >= 0 AND (retry_at IS NULL OR retry_at <= UTC_TIMESTAMP(3)) " +
          'ORDER BY sku LIMIT ?',
        [channel, limit],
      );
      return rows.map((r) => ({
        sku: r.sku,
        allocated: r.allocated,
        productType: r.product_type,
        confirmed: r.confirmed ?? null,
        confirmedAt: r.confirmed_at ? new Date(r.confirmed_at as string | Date) : null,
        split: typeof r.split === 'string' ? (JSON.parse(r.split) as Record<string, number>) : (r.split ?? null),
        unreadHeld: Number(r.unread_held ?? 0),
        heldAt: r.held_at ? new Date(r.held_at as string | Date) : null,
      }));
    },

    /**
     * Runs `send` as the channel's only sender. The sync workflow sends one step at a time, but a retried attempt
     * can start beside the one it replaces: an attempt whose worker stalled past the heartbeat timeout is given up by
     * Temporal while its process still runs it. Two senders interleaving their calls and their `markSent`s leave the
     * channel on the older quantity while the store records the newer one as sent (Vendor Central kept 0 for the
     * SKUs a stale batch carried). A MariaDB named lock per database and channel makes the second wait; it is freed
     * when the first ends, or when its connection drops (its worker died).
     */
    async exclusive<T>(channel: Channel, send: () => Promise<T>): Promise<T> {
      const conn = await pool.getConnection();
      const name = "CONCAT('send/', ?, '/', MD5(DATABASE()))";
      try {
        // One-second waits, so a waiting attempt stays responsive (it heartbeats meanwhile: keepAlive).
        for (;;) {
          const [[r]] = await conn.query<RowDataPacket[]>(`SELECT GET_LOCK(${name}, 1) AS got`, [channel]);
          if (Number(r?.got) === 1) break;
        }
        try {
          return await send();
        } finally {
          await conn.query(`SELECT RELEASE_LOCK(${name})`, [channel]);
        }
      } finally {
        conn.release();
      }
    },

    /** Until when Seller Central's orders are in the ledger (the orders read's cursor; null: never read). */
    async ordersReadUntil(): Promise<Date | null> {
      const [[r]] = await pool.query<RowDataPacket[]>(
        "SELECT position FROM channel_cursors WHERE name = 'amazon-orders'",
      );
      return r ? new Date(r.position as string) : null;
    },

    /** The earliest time a pending or failed SKU becomes due again (null: none waits). */
    async nextRetryAt(channel: Channel): Promise<Date | null> {
      const [[r]] = await pool.query<RowDataPacket[]>(
        "SELECT MIN(retry_at) AS at FROM channel_listings WHERE channel = ? AND status IN ('pending', 'failed') AND retry_at IS NOT NULL",
        [channel],
      );
      return r?.at ? new Date(r.at as string | Date) : null;
    },

    /** Failed SKUs whose backoff is over become pending again. */
    async releaseDueRetries(channel: Channel): Promise<number> {
      const [r] = await pool.query<ResultSetHeader>(
        "UPDATE channel_listings SET status = 'pending' WHERE channel = ? AND status = 'failed' AND retry_at <= UTC_TIMESTAMP(3)",
        [channel],
      );
      return r.affectedRows;
    },

    /**
     * Lowers SKUs' allocation to what may be offered now (Amazon orders not yet read hold back their units); the
     * next plan after those orders are read sets it from the ledger again.
     */
    async holdBack(channel: Channel, items: { sku: string; allocated: number }[]): Promise<void> {
      for (const i of items)
        await pool.query('UPDATE channel_listings SET allocated = ? WHERE channel = ? AND sku = ?', [
          i.allocated,
          channel,
          i.sku,
        ]);
    },

    /**
     * SKUs held below their allocation by what the other channels offer, with nothing new to send: pending again,
     * looked at after `firstMs`, doubling with each look in a row (`rechecks`) to `maxMs`, so a SKU held for minutes
     * (a replaced Amazon quantity's 15-minute window) costs a few looks, not one every 2 s. A `sent` row of an intent
     * not sent goes back to pending too.
     */
    async recheckLater(channel: Channel, skus: string[], firstMs: number, maxMs = 60_000): Promise<void> {
      for (let i = 0; i < skus.length; i += 1000)
        await pool.query(
          "UPDATE channel_listings SET status = 'pending', " +
            'retry_at = UTC_TIMESTAMP(3) + INTERVAL LEAST(?, ? * POW(2, LEAST(rechecks, 20))) * 1000 MICROSECOND, ' +
            'rechecks = rechecks + 1 WHERE channel = ? AND sku IN (?) ' +
            "AND (status = 'pending' OR (status = 'sent' AND submission_id LIKE 'intent/%'))",
          [maxMs, firstMs, channel, skus.slice(i, i + 1000)],
        );
    },

    /**
     * The other channel took new quantities of these SKUs: those of them held here below their allocation
     * (`rechecks` > 0, waiting) are looked at from `at` (when what the other may still show is known), their backoff
     * reset. Returns them, for the channel's sync to be woken.
     */
    async wakeCapped(channel: Channel, skus: string[], at: Date): Promise<string[]> {
      const out: string[] = [];
      for (let i = 0; i < skus.length; i += 1000) {
        const [rows] = await pool.query<RowDataPacket[]>(
          "SELECT sku FROM channel_listings WHERE channel = ? AND status = 'pending' AND rechecks > 0 AND sku IN (?)",
          [channel, skus.slice(i, i + 1000)],
        );
        if (!rows.length) continue;
        const held = rows.map((r) => r.sku as string);
        await pool.query(
          "UPDATE channel_listings SET retry_at = LEAST(COALESCE(retry_at, ?), ?), rechecks = 0 WHERE channel = ? AND status = 'pending' AND sku IN (?)",
          [at, at, channel, held],
        );
        out.push(...held);
      }
      return out;
    },

    /** Of these SKUs, those pending on the channel (a capped send accepted below the allocation). */
    async stillPending(channel: Channel, skus: string[]): Promise<string[]> {
      const out: string[] = [];
      for (let i = 0; i < skus.length; i += 1000) {
        const [rows] = await pool.query<RowDataPacket[]>(
          "SELECT sku FROM channel_listings WHERE channel = ? AND status = 'pending' AND sku IN (?)",
          [channel, skus.slice(i, i + 1000)],
        );
        out.push(...rows.map((r) => r.sku as string));
      }
      return out;
    },

    /** What a send is about to overwrite: per SKU the units sold and not read as of `at` (`unread_held`). */
    async recordUnread(channel: Channel, items: { sku: string; unread: number }[], at: Date): Promise<void> {
      for (let i = 0; i < items.length; i += 1000) {
        const chunk = items.slice(i, i + 1000);
        const cases = chunk.map(() => 'WHEN ? THEN ?').join(' ');
        await pool.query(
          `UPDATE channel_listings SET unread_held = CASE sku ${cases} ELSE unread_held END, held_at = ? WHERE channel = ? AND sku IN (?)`,
          [...chunk.flatMap((x) => [x.sku, x.unread]), at, channel, chunk.map((x) => x.sku)],
        );
      }
    },

    /**
     * What a killed worker left half done on the channel: a patch marked sent whose reply never came back is
     * pending again (a patch sets an absolute quantity, so sending it twice is harmless), and a feed or VDF
     * transaction still `submitted` (its follower never ran) is returned to be followed again. Only the channel's
     * own sync workflow sends, one step at a time, so nothing else of the channel is in flight when it runs.
     */
    async recoverInterrupted(
      channel: Channel,
    ): Promise<{ repatch: number; follow: { kind: 'listings-feed' | 'vdf-inventory'; id: string }[] }> {
      // `intent/…`: a quantity recorded before its send (`exposureBeside`) whose send never went.
      const [r] = await pool.query<ResultSetHeader>(
        "UPDATE channel_listings SET status = 'pending' WHERE channel = ? AND status = 'sent' AND (submission_id LIKE 'patch/%' OR submission_id LIKE 'intent/%')",
        [channel],
      );
      const [subs] = await pool.query<RowDataPacket[]>(
        "SELECT id, kind FROM channel_submissions WHERE channel = ? AND status = 'submitted' " +
          "AND kind IN ('listings-feed', 'vdf-inventory') ORDER BY created_at",
        [channel],
      );
      return { repatch: r.affectedRows, follow: subs.map((x) => ({ kind: x.kind, id: x.id as string })) };
    },

    async markSent(channel: Channel, items: { sku: string; quantity: number }[], submissionId: string): Promise<void> {
      for (let i = 0; i < items.length; i += 1000) {
        const chunk = items.slice(i, i + 1000);
        await pool.query(
          'INSERT INTO channel_listings (channel, sku, allocated, sent, sent_at, status, submission_id) VALUES ? ' +
            "ON DUPLICATE KEY UPDATE sent = VALUES(sent), sent_at = VALUES(sent_at), status = 'sent', submission_id = VALUES(submission_id)",
          [chunk.map((x) => [channel, x.sku, x.quantity, x.quantity, new Date(), 'sent', submissionId])],
        );
      }
    },

    /** The channel took these SKUs at what was sent: confirmed; still pending if the allocation moved on meanwhile. */
    async markAccepted(channel: Channel, skus: string[], submissionId: string): Promise<void> {
      for (let i = 0; i < skus.length; i += 1000)
        await pool.query(
          // A lower quantity: the one it replaces may still show for a while (`replaced`, the higher of it and a
          // replaced quantity still within its window). Assigned before `confirmed`, from the old values.
          'UPDATE channel_listings SET replaced = NULLIF(GREATEST(IF(confirmed_at >= ?, COALESCE(replaced, 0), 0), ' +
            'IF(COALESCE(confirmed, 0) > sent, confirmed, 0)), 0), ' +
            'confirmed = sent, confirmed_at = UTC_TIMESTAMP(3), failures = 0, rechecks = 0, retry_at = NULL, ' +
            "status = IF(allocated = sent, 'accepted', 'pending') WHERE channel = ? AND submission_id = ? AND sku IN (?)",
          [
            new Date(Date.now() - (opts.applyWindowMs ?? DEFAULT_APPLY_WINDOW_MS)),
            channel,
            submissionId,
            skus.slice(i, i + 1000),
          ],
        );
    },

    /**
     * The send failed for these SKUs. `retryable`: pending again after a backoff (the channel could not take it
     * now); otherwise failed until its backoff ends (the channel refused it, a retry may still help once data changes).
     */
    async markFailed(channel: Channel, skus: string[], submissionId: string | null, retryable: boolean): Promise<void> {
      for (let i = 0; i < skus.length; i += 1000) {
        const [rows] = await pool.query<RowDataPacket[]>(
          'SELECT sku, failures FROM channel_listings WHERE channel = ? AND sku IN (?)' +
            (submissionId ? ' AND submission_id = ?' : ''),
          submissionId ? [channel, skus.slice(i, i + 1000), submissionId] : [channel, skus.slice(i, i + 1000)],
        );
        for (const r of rows)
          await pool.query(
            'UPDATE channel_listings SET failures = failures + 1, retry_at = ?, status = ? WHERE channel = ? AND sku = ?',
            [
              new Date(Date.now() + retryDelayMs(r.failures + 1, opts.retryBaseMs)),
              retryable ? 'pending' : 'failed',
              channel,
              r.sku,
            ],
          );
      }
    },

    async recordError(channel: Channel, sku: string, code: string, message: string): Promise<void> {
      await pool.query(
        'INSERT INTO channel_sync_errors (channel, sku, code, message, first_seen, last_seen) ' +
          'VALUES (?, ?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3)) ON DUPLICATE KEY UPDATE ' +
          'first_seen = IF(resolved_at IS NULL, first_seen, UTC_TIMESTAMP(3)), attempts = IF(resolved_at IS NULL, attempts + 1, 1), ' +
          'code = VALUES(code), message = VALUES(message), last_seen = UTC_TIMESTAMP(3), resolved_at = NULL',
        [channel, sku, code.slice(0, 64), message.slice(0, 60_000)],
      );
    },

    async resolveErrors(channel: Channel, skus: string[]): Promise<void> {
      for (let i = 0; i < skus.length; i += 1000)
        await pool.query(
          'UPDATE channel_sync_errors SET resolved_at = UTC_TIMESTAMP(3) WHERE channel = ? AND resolved_at IS NULL AND sku IN (?)',
          [channel, skus.slice(i, i + 1000)],
        );
    },

    async recordSubmission(
      id: string,
      channel: Channel,
      kind: 'listings-feed' | 'vdf-inventory' | 'listings-patch',
      skus: string[],
      detail: string | null = null,
    ): Promise<void> {
      await pool.query(
        'INSERT INTO channel_submissions (id, channel, kind, items, status, skus, detail) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
          'ON DUPLICATE KEY UPDATE status = status',
        [id, channel, kind, skus.length, 'submitted', JSON.stringify(skus), detail],
      );
    },

    async submissionDetail(id: string): Promise<string | null> {
      const [[r]] = await pool.query<RowDataPacket[]>('SELECT detail FROM channel_submissions WHERE id = ?', [id]);
      return (r?.detail as string | null) ?? null;
    },

    async submissionSkus(id: string): Promise<string[]> {
      const [[r]] = await pool.query<RowDataPacket[]>('SELECT skus FROM channel_submissions WHERE id = ?', [id]);
      return r ? (JSON.parse(r.skus as string) as string[]) : [];
    },

    /** How long the channel's last finished feed took from submission to its final status (null: none yet). */
    async lastFeedMs(channel: Channel): Promise<number | null> {
      const [[r]] = await pool.query<RowDataPacket[]>(
        // created_at is a TIMESTAMP (epoch), finished_at a DATETIME written as UTC: both as epoch ms, whatever the
        // session's time zone.
        "SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01', finished_at) / 1000 - UNIX_TIMESTAMP(created_at) * 1000 AS ms " +
          "FROM channel_submissions WHERE channel = ? AND kind = 'listings-feed' AND finished_at IS NOT NULL " +
          'ORDER BY created_at DESC LIMIT 1',
        [channel],
      );
      return r ? Math.max(0, Number(r.ms)) : null;
    },

    async finishSubmission(id: string, status: string, detail: string | null): Promise<void> {
      await pool.query(
        'UPDATE channel_submissions SET status = ?, detail = ?, finished_at = UTC_TIMESTAMP(3) WHERE id = ?',
        [status, detail?.slice(0, 60_000) ?? null, id],
      );
    },

    async statusCounts(): Promise<{ channel: string; status: string; n: number }[]> {
      const [rows] = await pool.query<RowDataPacket[]>(
        'SELECT channel, status, COUNT(*) AS n FROM channel_listings GROUP BY channel, status ORDER BY channel, status',
      );
      return rows.map((r) => ({ channel: r.channel, status: r.status, n: Number(r.n) }));
    },

    async openErrors(
      limit = 100,
    ): Promise<{ channel: string; sku: string; code: string; message: string; attempts: number; lastSeen: Date }[]> {
      const [rows] = await pool.query<RowDataPacket[]>(
        'SELECT channel, sku, code, message, attempts, last_seen FROM channel_sync_errors WHERE resolved_at IS NULL ORDER BY last_seen DESC LIMIT ?',
        [limit],
      );
      return rows.map((r) => ({
        channel: r.channel,
        sku: r.sku,
        code: r.code,
        message: r.message,
        attempts: r.attempts,
        lastSeen: r.last_seen,
      }));
    },
  };
}

export type ListingsStore = ReturnType<typeof listingsStore>;
