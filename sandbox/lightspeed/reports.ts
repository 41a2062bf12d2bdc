import type { Account } from './account';
import { TAX_CLASSES } from './catalog';
import { money } from './views';

/**
 * The daily accounting reports (Reports/Accounting/PaymentsByDay and TaxClassTotals): per shop and UTC day, the
 * completed, non-voided sales' payments per payment type and tax per tax class, computed live from the sales.
 */
export function paymentsByDay(account: Account, dates: string[], shopID?: number) {
  const rows: Record<string, string>[] = [];
  for (const date of dates)
    for (const shop of account.shops.filter((s) => shopID === undefined || s.shopID === shopID)) {
      const totals = new Map<number, { amount: number; count: number }>();
      for (const h of account.salesOn(date, shop.shopID)) {
        if (h.voided) continue;
        for (const p of account.sales.detail(h).payments) {
          const t = totals.get(p.paymentTypeID) ?? { amount: 0, count: 0 };
          t.amount += p.amountCents;
          t.count += 1;
          totals.set(p.paymentTypeID, t);
        }
      }
      for (const [paymentTypeID, t] of [...totals].sort((a, b) => a[0] - b[0]))
        rows.push({
          date,
          shopID: String(shop.shopID),
          paymentTypeID: String(paymentTypeID),
          name: account.paymentTypes.find((p) => p.paymentTypeID === paymentTypeID)!.name,
          amount: money(t.amount),
          count: String(t.count),
        });
    }
  return rows;
}

export function taxClassTotals(account: Account, dates: string[], shopID?: number) {
  const rows: Record<string, string>[] = [];
  for (const date of dates)
    for (const shop of account.shops.filter((s) => shopID === undefined || s.shopID === shopID)) {
      const totals = new Map<number, { subtotal: number; tax1: number; tax2: number }>();
      for (const h of account.salesOn(date, shop.shopID)) {
        if (h.voided) continue;
        for (const l of account.sales.detail(h).lines) {
          const t = totals.get(l.taxClassID) ?? { subtotal: 0, tax1: 0, tax2: 0 };
          t.subtotal += l.subtotalCents;
          t.tax1 += l.tax1Cents;
          t.tax2 += l.tax2Cents;
          totals.set(l.taxClassID, t);
        }
      }
      for (const [taxClassID, t] of [...totals].sort((a, b) => a[0] - b[0]))
        rows.push({
          date,
          shopID: String(shop.shopID),
          taxClassID: String(taxClassID),
          name: TAX_CLASSES.find((c) => c.taxClassID === taxClassID)!.name,
          subtotal: money(t.subtotal),
          tax1: money(t.tax1),
          tax2: money(t.tax2),
        });
    }
  return rows;
}

/** Every date from startDate to endDate inclusive (at most 31, like a month's report). */
export function dateRange(start: string | null, end: string | null): string[] {
  if (!start || !/^\d{4}-\d{2}-\d{2}$/.test(start) || (end && !/^\d{4}-\d{2}-\d{2}$/.test(end)))
    throw new Error('startDate and endDate are dates (YYYY-MM-DD)');
  const out: string[] = [];
  const last = Date.parse(`${end ?? start}T00:00:00Z`);
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= last; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
    if (out.length > 31) throw new Error('a report covers at most 31 days');
  }
  return out;
}
