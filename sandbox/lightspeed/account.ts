import { buildItems, buildShops, PAYMENT_TYPES, TAX_CATEGORIES, type Item, type Register, type Shop } from './catalog';
import { seeded } from './random';
import { Sales, type HistoryOptions, type SaleHeader } from './sales';

export interface AccountOptions extends Partial<HistoryOptions> {
  accountID?: number;
  shops?: number;
  registersPerShop?: number;
  items?: number;
}

const DAY = 86_400_000;

/** The demo account: shops and registers, a grocery catalogue with stock per shop, and months of sales. */
export class Account {
  readonly accountID: number;
  readonly shops: Shop[];
  readonly registers: Register[];
  readonly items: Item[];
  readonly taxCategory = TAX_CATEGORIES[0]!;
  readonly paymentTypes = PAYMENT_TYPES;
  readonly sales: Sales;
  /** When the catalogue and shops were set up (their createTime/timeStamp). */
  readonly createdAt: number;
  private readonly qoh = new Map<string, { qoh: number; timeStamp: number }>();

  constructor(opts: AccountOptions = {}) {
    const seed = opts.seed ?? 7;
    const history: HistoryOptions = {
      days: opts.days ?? 120,
      historyEnd: opts.historyEnd ?? '2026-12-01',
      salesPerShopDay: opts.salesPerShopDay ?? 30,
      seed,
    };
    this.accountID = opts.accountID ?? 271828;
    this.createdAt = Date.parse(`${history.historyEnd}T00:00:00Z`) - (history.days + 30) * DAY;
    ({ shops: this.shops, registers: this.registers } = buildShops(opts.shops ?? 4, opts.registersPerShop ?? 2));
    this.items = buildItems(opts.items ?? 2000, seed, this.createdAt);
    this.sales = new Sales(this.items, this.registers, this.taxCategory, seed);
    this.sales.generate(
      this.shops.map((s) => s.shopID),
      history,
    );
  }

  /** Quantity on hand per item and shop: a seeded opening stock (ItemShop.qoh). */
  itemShop(itemID: number, shopID: number): { qoh: number; timeStamp: number } {
    const key = `${itemID}/${shopID}`;
    let v = this.qoh.get(key);
    if (!v) {
      const rnd = seeded(itemID * 31 + shopID);
      v = { qoh: Math.floor(rnd() * 120) - (rnd() < 0.03 ? 130 : 0), timeStamp: this.createdAt };
      this.qoh.set(key, v);
    }
    return v;
  }

  setQoh(itemID: number, shopID: number, qoh: number, at: number): void {
    this.qoh.set(`${itemID}/${shopID}`, { qoh, timeStamp: Math.floor(at / 1000) * 1000 });
  }

  /** Sales of `shopID` whose completeTime falls on the UTC day `date` (YYYY-MM-DD). */
  salesOn(date: string, shopID?: number): SaleHeader[] {
    const start = Date.parse(`${date}T00:00:00Z`);
    const h = this.sales.headers;
    let i = lowerBound(h, start);
    const out: SaleHeader[] = [];
    for (; i < h.length && h[i]!.completeTime < start + DAY; i++)
      if (shopID === undefined || h[i]!.shopID === shopID) out.push(h[i]!);
    return out;
  }

  get registerCount(): number {
    return this.registers.length;
  }
}

/** First index whose completeTime ≥ t (sales are stored in completeTime order). */
export function lowerBound(h: SaleHeader[], t: number): number {
  let lo = 0;
  let hi = h.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (h[mid]!.completeTime < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
