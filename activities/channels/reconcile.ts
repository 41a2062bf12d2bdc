import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Context } from '@temporalio/activity';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { AmazonApiError, type AmazonClient } from '../../connectors/amazon';
import type { Channel } from '../../domain/channels/channels';
import { channelReconcileKey } from '../../lake/channels-layout';

export interface ReconcileReport {
  runId: string;
  channel: Channel;
  checked: number;
  drifted: number;
  corrected: number;
  failed: number;
  /** Units a channel offers beyond its allocation, summed: what could be oversold until corrected. */
  unitsAtRisk: number;
  reportKey: string;
  drift: { sku: string; allocated: number; offered: number | null }[];
}

/** A listing confirmed this recently may not be visible yet (Amazon applies accepted changes within minutes). */
const SETTLE_MS = 5 * 60_000;

/**
 * Compares what a channel offers with the allocation and corrects drift by marking the SKU pending (the channel's
 * sync sends it again). Seller Central: each settled listing's DEFAULT quantity (getListingsItem). Vendor Central
 * has no read API: the last accepted inventory is ours, so a SKU whose allocation was never confirmed is drift.
 * The report goes to the lake and `channel_reconcile_runs` (the ops console reads it).
 */
export function createReconcileActivities(deps: {
  channels: Pool;
  amazon?: AmazonClient;
  s3: S3Client;
  lakeBucket: string;
  settleMs?: number;
}) {
  return {
    async reconcileChannel(input: { channel: Channel; runId: string }): Promise<Omit<ReconcileReport, 'drift'>> {
      const settle = new Date(Date.now() - (deps.settleMs ?? SETTLE_MS));
      const [rows] = await deps.channels.query<RowDataPacket[]>(
        'SELECT sku, allocated, confirmed, status, confirmed_at FROM channel_listings WHERE channel = ? ORDER BY sku',
        [input.channel],
      );
      const r: ReconcileReport = {
        runId: input.runId,
        channel: input.channel,
        checked: 0,
        drifted: 0,
        corrected: 0,
        failed: 0,
        unitsAtRisk: 0,
        reportKey: '',
        drift: [],
      };
      const correct: string[] = [];
      for (const row of rows) {
        let offered: number | null;
        if (input.channel === 'amazon') {
          // In flight (pending, sent) or just confirmed: the sync owns it; compare only settled listings.
          if (row.status !== 'accepted' || !row.confirmed_at || row.confirmed_at > settle) continue;
          try {
            const l = await deps.amazon!.getListingQuantity(row.sku);
            offered = l?.quantity ?? null;
          } catch (err) {
            if (!(err instanceof AmazonApiError)) throw err;
            r.failed++;
            continue;
          }
        } else {
          if (row.status === 'pending' || row.status === 'sent') continue;
          offered = row.status === 'accepted' ? row.confirmed : null;
        }
        r.checked++;
        // Orders lower Amazon's quantity before they reach the ledger: offering less than allocated is no risk,
        // and the next ledger change raises it again; offering more is drift.
        if (
          offered === null ||
          offered > row.allocated ||
          (input.channel === 'amazon-vendor' && offered !== row.allocated)
        ) {
          r.drifted++;
          r.unitsAtRisk += Math.max(0, (offered ?? 0) - row.allocated);
          r.drift.push({ sku: row.sku, allocated: row.allocated, offered });
          correct.push(row.sku);
        }
        if (r.checked % 50 === 0) Context.current().heartbeat(r.checked);
      }
      for (let i = 0; i < correct.length; i += 1000) {
        const [res] = await deps.channels.query(
          "UPDATE channel_listings SET status = 'pending', confirmed = NULL, retry_at = NULL WHERE channel = ? AND sku IN (?)",
          [input.channel, correct.slice(i, i + 1000)],
        );
        r.corrected += (res as { affectedRows: number }).affectedRows;
      }
      r.reportKey = channelReconcileKey(input.channel, new Date().toISOString().slice(0, 10), input.runId);
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.lakeBucket,
          Key: r.reportKey,
          Body: JSON.stringify(r),
          ContentType: 'application/json',
        }),
      );
      await deps.channels.query(
        'INSERT INTO channel_reconcile_runs (id, channel, checked, drifted, corrected, failed, units_at_risk, report_key) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE checked = VALUES(checked), drifted = VALUES(drifted), ' +
          'corrected = VALUES(corrected), failed = VALUES(failed), units_at_risk = VALUES(units_at_risk), report_key = VALUES(report_key)',
        [
          `${input.runId}/${input.channel}`,
          input.channel,
          r.checked,
          r.drifted,
          r.corrected,
          r.failed,
          r.unitsAtRisk,
          r.reportKey,
        ],
      );
      const { drift: _drift, ...summary } = r;
      return summary;
    },
  };
}
