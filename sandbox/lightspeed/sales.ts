import type { Item, Register, TaxCategory } from './catalog';
import { TAX_CLASSES } from './catalog';
import { between, seeded } from './random';

export type SaleKind = 'sale' | 'refund' | 'void';

/** What the account stores per sale; lines and payments are derived from `seed` when a page is built. */
export interface SaleHeader {
  saleID: number;
  shopID: number;
  registerID: number;
  employeeID: number;
  completeTime: number;
  /** Last modification (Lightspeed's `timeStamp`); a later change moves it (see Sales.touch). */
  timeStamp: number;
  kind: SaleKind;
  voided: boolean;
  lineCount: number;
  refundOf?: number;
}

export interface SaleLineRow {
  saleLineID: number;
  saleID: number;
  itemID: number;
  quantity: number;
  unitPriceCents: number;
  discountCents: number;
  subtotalCents: number;
  tax1Cents: number;
  tax2Cents: number;
  totalCents: number;
  avgCostCents: number;
  taxClassID: number;
  parentSaleLineID: number;
}

export interface SalePaymentRow {
  salePaymentID: number;
  saleID: number;
  paymentTypeID: number;
  amountCents: number;
  registerID: number;
  employeeID: number;
}

export interface SaleDetail {
  lines: SaleLineRow[];
  payments: SalePaymentRow[];
  subtotalCents: number;
  tax1Cents: number;
  tax2Cents: number;
  totalCents: number;
  discountCents: number;
}

export interface HistoryOptions {
  days: number;
  /** Exclusive end of the history (UTC midnight), e.g. '2026-12-01'. */
  historyEnd: string;
  salesPerShopDay: number;
  seed: number;
}

const DAY = 86_400_000;
const OPEN_HOUR = 7;
const OPEN_HOURS = 14;

/** Line ids are derived from the sale's id, so a line keeps its id however often it is generated. */
export const lineId = (saleID: number, index: number) => saleID * 1000 + index + 1;

export class Sales {
  readonly headers: SaleHeader[] = [];
  /** Sales changed after their completeTime (their timeStamp is later), for timeStamp range scans. */
  readonly touched = new Set<number>();
  private readonly byId = new Map<number, SaleHeader>();

  constructor(
    private readonly items: Item[],
    private readonly registers: Register[],
    private readonly taxCategory: TaxCategory,
    private readonly seed: number,
  ) {}

  /** Months of history: every day, every shop, a day's baskets at random times within opening hours. */
  generate(shopIDs: number[], opts: HistoryOptions): void {
    const end = Date.parse(`${opts.historyEnd}T00:00:00Z`);
    const rnd = seeded(opts.seed);
    for (let d = opts.days; d >= 1; d--) {
      const dayStart = end - d * DAY;
      const times: { t: number; shopID: number }[] = [];
      for (const shopID of shopIDs) {
        const n = Math.max(1, Math.round(opts.salesPerShopDay * (0.8 + rnd() * 0.4)));
        for (let i = 0; i < n; i++) times.push({ t: dayStart + (OPEN_HOUR + rnd() * OPEN_HOURS) * 3_600_000, shopID });
      }
      times.sort((a, b) => a.t - b.t);
      for (const { t, shopID } of times) this.add(shopID, Math.floor(t / 1000) * 1000, rnd);
    }
  }

  /** A sale rung up now (the live demo and tests); its time never goes back before the last sale's. */
  append(shopID: number, at: number, kind?: SaleKind): SaleHeader {
    const last = this.headers.at(-1)?.completeTime ?? 0;
    return this.add(
      shopID,
      Math.max(Math.floor(at / 1000) * 1000, last),
      seeded(this.seed ^ (this.headers.length + 1)),
      kind,
    );
  }

  private add(shopID: number, completeTime: number, rnd: () => number, forced?: SaleKind): SaleHeader {
    const saleID = this.headers.length + 1;
    const shopRegisters = this.registers.filter((r) => r.shopID === shopID);
    const r = rnd();
    const earlier = this.headers.length > 50 ? this.headers[between(rnd, 0, this.headers.length - 1)] : undefined;
    let kind: SaleKind = forced ?? (r < 0.02 ? 'void' : r < 0.035 && earlier ? 'refund' : 'sale');
    if (kind === 'refund' && !earlier) kind = 'sale';
    const big = rnd() < 0.04;
    const refundOf = kind === 'refund' ? earlier!.saleID : undefined;
    const lineCount =
      kind === 'refund'
        ? Math.min(between(rnd, 1, 4), this.byId.get(refundOf!)!.lineCount)
        : big
          ? between(rnd, 100, 140)
          : between(rnd, 15, 80);
    const h: SaleHeader = {
      saleID,
      shopID,
      registerID: shopRegisters[between(rnd, 0, shopRegisters.length - 1)]!.registerID,
      employeeID: between(rnd, 1, 12),
      completeTime,
      timeStamp: completeTime,
      kind,
      voided: kind === 'void',
      lineCount,
      refundOf,
    };
    this.headers.push(h);
    this.byId.set(saleID, h);
    return h;
  }

  get(saleID: number): SaleHeader | undefined {
    return this.byId.get(saleID);
  }

  /** A later change to a sale (e.g. voided after the fact): its `timeStamp` moves to `at`. */
  touch(saleID: number, at: number, change: Partial<Pick<SaleHeader, 'voided'>>): SaleHeader {
    const h = this.byId.get(saleID);
    if (!h) throw new Error(`no sale ${saleID}`);
    Object.assign(h, change, { timeStamp: Math.max(h.timeStamp, Math.floor(at / 1000) * 1000) });
    this.touched.add(saleID);
    return h;
  }

  /** Lines, payments and totals, computed the same way on every call (per-sale seed). */
  detail(h: SaleHeader): SaleDetail {
    const rnd = seeded(this.seed ^ Math.imul(h.saleID, 2654435761));
    const lines: SaleLineRow[] = [];
    if (h.kind === 'refund') {
      const original = this.detail(this.byId.get(h.refundOf!)!);
      for (let i = 0; i < h.lineCount; i++) {
        const o = original.lines[i]!;
        lines.push({
          ...o,
          saleLineID: lineId(h.saleID, i),
          saleID: h.saleID,
          quantity: -o.quantity,
          discountCents: -o.discountCents,
          subtotalCents: -o.subtotalCents,
          tax1Cents: -o.tax1Cents,
          tax2Cents: -o.tax2Cents,
          totalCents: -o.totalCents,
          parentSaleLineID: o.saleLineID,
        });
      }
    } else {
      for (let i = 0; i < h.lineCount; i++) {
        const item = this.items[Math.floor(rnd() * this.items.length)]!;
        const quantity = rnd() < 0.8 ? 1 : between(rnd, 2, 6);
        const gross = item.priceCents * quantity;
        const discountCents = rnd() < 0.08 ? Math.round(gross * 0.1) : 0;
        const subtotalCents = gross - discountCents;
        const cls = TAX_CLASSES.find((c) => c.taxClassID === item.taxClassID)!;
        const tax1Cents = cls.taxable ? Math.round(subtotalCents * this.taxCategory.tax1Rate) : 0;
        const tax2Cents = cls.excise ? Math.round(subtotalCents * this.taxCategory.tax2Rate) : 0;
        lines.push({
          saleLineID: lineId(h.saleID, i),
          saleID: h.saleID,
          itemID: item.itemID,
          quantity,
          unitPriceCents: item.priceCents,
          discountCents,
          subtotalCents,
          tax1Cents,
          tax2Cents,
          totalCents: subtotalCents + tax1Cents + tax2Cents,
          avgCostCents: item.costCents,
          taxClassID: item.taxClassID,
          parentSaleLineID: 0,
        });
      }
    }
    const sum = (f: (l: SaleLineRow) => number) => lines.reduce((s, l) => s + f(l), 0);
    const totalCents = sum((l) => l.totalCents);
    // One tender, sometimes two (part gift card); refunds go back as cash or card.
    const payments: SalePaymentRow[] = [];
    const first = h.kind === 'refund' ? (rnd() < 0.5 ? 1 : 2) : between(rnd, 1, 3);
    const split = h.kind !== 'refund' && totalCents > 2000 && rnd() < 0.1 ? Math.round(totalCents * 0.3) : 0;
    const base = { saleID: h.saleID, registerID: h.registerID, employeeID: h.employeeID };
    payments.push({ ...base, salePaymentID: h.saleID * 10 + 1, paymentTypeID: first, amountCents: totalCents - split });
    if (split) payments.push({ ...base, salePaymentID: h.saleID * 10 + 2, paymentTypeID: 4, amountCents: split });
    return {
      lines,
      payments,
      subtotalCents: sum((l) => l.subtotalCents),
      tax1Cents: sum((l) => l.tax1Cents),
      tax2Cents: sum((l) => l.tax2Cents),
      discountCents: sum((l) => l.discountCents),
      totalCents,
    };
  }
}
