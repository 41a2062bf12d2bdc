import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type mysql from 'mysql2/promise';
import type { S3Client } from '@aws-sdk/client-s3';
import { asList, cents, formatCents, type LightspeedClient } from '../../connectors/lightspeed';
import type { ReconcileDifference } from '../../db/extraction/schema';
import { openLakeQuery } from '../../lake/lake-query';
import type { AwsConnection } from '../../lake/s3';
import { lightspeedFailure } from './lightspeed-sales';

export interface ReconcileDayInput {
  shopId: number;
  day: string;
}
export interface ReconcileDayResult {
  shopId: number;
  day: string;
  sales: number;
  saleLines: number;
  reconciliation: 'matches' | 'differs';
  differences: ReconcileDifference[];
}

const dayRe = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A shop's day in the lake against Lightspeed's accounting reports for that day: payments per payment type
 * (PaymentsByDay) and taxable amount, tax1 and tax2 per tax class (TaxClassTotals), non-voided sales only.
 * Differences are recorded in lightspeed_days and returned; they are findings, not failures.
 */
export function createLightspeedReconcileActivities(d: {
  client: () => Promise<LightspeedClient>;
  accountId: () => string;
  pool: mysql.Pool;
  s3: S3Client;
  aws: AwsConnection;
  bucket: string;
}) {
  return {
    async lightspeedReconcileDay(input: ReconcileDayInput): Promise<ReconcileDayResult> {
      if (!dayRe.test(input.day)) throw new Error(`not a day: ${input.day}`);
      let reports: { payments: Record<string, unknown>[]; taxes: Record<string, unknown>[] };
      try {
        const client = await d.client();
        const params = { startDate: input.day, endDate: input.day, shopID: String(input.shopId) };
        const [p, t] = [
          await client.get(client.url('Reports/Accounting/PaymentsByDay', params)),
          await client.get(client.url('Reports/Accounting/TaxClassTotals', params)),
        ];
        reports = { payments: asList(p.body.PaymentsByDay), taxes: asList(t.body.TaxClassTotals) };
      } catch (e) {
        throw lightspeedFailure(e);
      }
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightspeed-reconcile-'));
      const session = await openLakeQuery({
        aws: d.aws,
        s3: d.s3,
        bucket: d.bucket,
        cacheDir,
        dtFrom: input.day,
        dtTo: input.day,
      });
      const lake = { payments: new Map<string, number>(), taxes: new Map<string, number>(), sales: 0, lines: 0 };
      try {
        const where = `dt = DATE '${input.day}' AND shop_id = ${Number(input.shopId)} AND NOT COALESCE(_deleted, false)`;
        const has = (t: string) => session.tables.includes(t);
        if (has('lightspeed.sales'))
          lake.sales = Number((await session.query(`SELECT count(*) AS n FROM lightspeed.sales WHERE ${where}`))[0]!.n);
        if (has('lightspeed.payments'))
          for (const r of await session.query(
            `SELECT payment_type_id AS k, CAST(sum(amount) AS VARCHAR) AS v FROM lightspeed.payments
             WHERE ${where} AND NOT COALESCE(voided, false) GROUP BY 1`,
          ))
            lake.payments.set(`payment:${String(r.k)}`, cents(r, 'v'));
        if (has('lightspeed.sale_lines')) {
          lake.lines = Number(
            (await session.query(`SELECT count(*) AS n FROM lightspeed.sale_lines WHERE ${where}`))[0]!.n,
          );
          for (const r of await session.query(
            `SELECT tax_class_id AS k, CAST(sum(subtotal) AS VARCHAR) AS s, CAST(sum(tax1) AS VARCHAR) AS t1,
               CAST(sum(tax2) AS VARCHAR) AS t2 FROM lightspeed.sale_lines
             WHERE ${where} AND NOT COALESCE(voided, false) GROUP BY 1`,
          )) {
            lake.taxes.set(`subtotal:${String(r.k)}`, cents(r, 's'));
            lake.taxes.set(`tax1:${String(r.k)}`, cents(r, 't1'));
            lake.taxes.set(`tax2:${String(r.k)}`, cents(r, 't2'));
          }
        }
      } finally {
        session.close();
        fs.rmSync(cacheDir, { recursive: true, force: true });
      }
      const report = new Map<string, number>();
      for (const r of reports.payments) report.set(`payment:${String(r.paymentTypeID)}`, cents(r, 'amount'));
      for (const r of reports.taxes) {
        report.set(`subtotal:${String(r.taxClassID)}`, cents(r, 'subtotal'));
        report.set(`tax1:${String(r.taxClassID)}`, cents(r, 'tax1'));
        report.set(`tax2:${String(r.taxClassID)}`, cents(r, 'tax2'));
      }
      const ours = new Map([...lake.payments, ...lake.taxes]);
      const differences: ReconcileDifference[] = [];
      for (const k of [...new Set([...ours.keys(), ...report.keys()])].sort()) {
        const [a, b] = [ours.get(k) ?? 0, report.get(k) ?? 0];
        if (a !== b) differences.push({ measure: k, lake: formatCents(a), report: formatCents(b) });
      }
      const reconciliation = differences.length ? 'differs' : 'matches';
      await d.pool.query(
        `INSERT INTO lightspeed_days (account_id, shop_id, day, sales, sale_lines, reconciliation, differences, extracted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NOW(3))
         ON DUPLICATE KEY UPDATE sales = VALUES(sales), sale_lines = VALUES(sale_lines),
           reconciliation = VALUES(reconciliation), differences = VALUES(differences), extracted_at = NOW(3)`,
        [d.accountId(), input.shopId, input.day, lake.sales, lake.lines, reconciliation, JSON.stringify(differences)],
      );
      return { ...input, sales: lake.sales, saleLines: lake.lines, reconciliation, differences };
    },
  };
}
