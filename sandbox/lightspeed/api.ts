import { lowerBound, type Account } from './account';
import { dateRange, paymentsByDay, taxClassTotals } from './reports';
import {
  BadRequest,
  decodeCursor,
  encodeCursor,
  matches,
  parseFilters,
  parseLimit,
  parseRelations,
  timeBounds,
  type Filter,
} from './query';
import type { SaleHeader } from './sales';
import {
  itemView,
  oneOrMany,
  paymentTypeView,
  registerView,
  saleLineView,
  salePaymentView,
  saleView,
  shopView,
  taxCategoryView,
} from './views';

export interface ApiReply {
  status: number;
  body: unknown;
}

interface Row {
  key: number;
  view: () => Record<string, unknown>;
}

/** Keeps the rows passing every filter; `get` reads a field's comparable value from the source record. */
const passes = (filters: Filter[], get: (field: string) => number | string | boolean) =>
  filters.every((f) => matches(f, get(f.field)));

const SALE_FIELDS = [
  'saleID',
  'shopID',
  'registerID',
  'employeeID',
  'timeStamp',
  'completeTime',
  'voided',
  'completed',
];
const LINE_FIELDS = ['saleLineID', 'saleID', 'shopID', 'itemID', 'timeStamp', 'taxClassID'];
const PAYMENT_FIELDS = ['salePaymentID', 'saleID', 'paymentTypeID', 'registerID', 'timeStamp'];

/**
 * The V3 resources under /API/V3/Account/{accountID}/ (developers.lightspeedhq.com/retail/endpoints/…): list
 * endpoints page by `after` cursor in primary-key order, 100 records at most per page.
 */
export function handleApi(account: Account, resource: string, url: URL): ApiReply {
  const params = url.searchParams;
  const limit = parseLimit(params);
  const after = decodeCursor(params.get('after'));
  const page = (name: string, rows: Iterable<Row>): ApiReply => {
    const out: Record<string, unknown>[] = [];
    let last = 0;
    let more = false;
    for (const r of rows) {
      if (r.key <= after) continue;
      if (out.length === limit) {
        more = true;
        break;
      }
      out.push(r.view());
      last = r.key;
    }
    const next = new URL(url);
    next.searchParams.set('after', encodeCursor(last));
    const body: Record<string, unknown> = { '@attributes': { next: more ? next.toString() : '', previous: '' } };
    if (out.length) body[name] = oneOrMany(out);
    return { status: 200, body };
  };
  const tax = account.taxCategory;
  const at = account.createdAt;
  switch (resource) {
    case 'Sale': {
      const filters = parseFilters(params, SALE_FIELDS);
      const rel = parseRelations(params, ['SaleLines', 'SalePayments']);
      const rows = function* (): Iterable<Row> {
        for (const h of saleCandidates(account, filters, after))
          if (passes(filters, (f) => saleField(h, f)))
            yield { key: h.saleID, view: () => saleView(h, account.sales.detail(h), rel, tax, account.paymentTypes) };
      };
      return page('Sale', rows());
    }
    case 'SaleLine': {
      const filters = parseFilters(params, LINE_FIELDS);
      const rows = function* (): Iterable<Row> {
        const saleFilters = filters.filter((f) => ['saleID', 'shopID', 'timeStamp'].includes(f.field));
        for (const h of saleCandidates(account, saleFilters, Math.floor(after / 1000)))
          if (passes(saleFilters, (f) => saleField(h, f)))
            for (const l of account.sales.detail(h).lines)
              if (passes(filters, (f) => (f in l ? (l as unknown as Record<string, number>)[f]! : saleField(h, f))))
                yield { key: l.saleLineID, view: () => saleLineView(l, h, tax) };
      };
      return page('SaleLine', rows());
    }
    case 'SalePayment': {
      const filters = parseFilters(params, PAYMENT_FIELDS);
      const rows = function* (): Iterable<Row> {
        const saleFilters = filters.filter((f) => ['saleID', 'timeStamp'].includes(f.field));
        for (const h of saleCandidates(account, saleFilters, Math.floor(after / 10)))
          if (passes(saleFilters, (f) => saleField(h, f)))
            for (const p of account.sales.detail(h).payments)
              if (passes(filters, (f) => (f in p ? (p as unknown as Record<string, number>)[f]! : saleField(h, f))))
                yield { key: p.salePaymentID, view: () => salePaymentView(p, h, account.paymentTypes) };
      };
      return page('SalePayment', rows());
    }
    case 'Item': {
      const filters = parseFilters(params, [
        'itemID',
        'timeStamp',
        'systemSku',
        'customSku',
        'description',
        'taxClassID',
      ]);
      const rows = function* (): Iterable<Row> {
        for (const i of account.items)
          if (passes(filters, (f) => (f === 'timeStamp' ? i.timeStamp : (i as unknown as Record<string, number>)[f]!)))
            yield { key: i.itemID, view: () => itemView(i) };
      };
      return page('Item', rows());
    }
    case 'ItemShop': {
      const filters = parseFilters(params, ['itemShopID', 'itemID', 'shopID', 'qoh', 'timeStamp']);
      const rows = function* (): Iterable<Row> {
        for (const i of account.items)
          for (const s of account.shops) {
            const v = account.itemShop(i.itemID, s.shopID);
            const rec = { itemShopID: i.itemID * 100 + s.shopID, itemID: i.itemID, shopID: s.shopID, ...v };
            if (passes(filters, (f) => (rec as unknown as Record<string, number>)[f]!))
              yield {
                key: rec.itemShopID,
                view: () => ({
                  itemShopID: String(rec.itemShopID),
                  qoh: String(v.qoh),
                  sellable: String(Math.max(0, v.qoh)),
                  backorder: '0',
                  componentQoh: '0',
                  componentBackorder: '0',
                  reorderPoint: '6',
                  reorderLevel: '24',
                  timeStamp: new Date(v.timeStamp).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
                  itemID: String(i.itemID),
                  shopID: String(s.shopID),
                }),
              };
          }
      };
      return page('ItemShop', rows());
    }
    case 'Shop':
      return small(
        page,
        'Shop',
        params,
        ['shopID', 'timeStamp'],
        account.shops,
        (s) => s.shopID,
        (s) => shopView(s, at),
      );
    case 'Register':
      return small(
        page,
        'Register',
        params,
        ['registerID', 'shopID', 'timeStamp'],
        account.registers,
        (r) => r.registerID,
        (r) => registerView(r, at),
      );
    case 'TaxCategory':
      return small(
        page,
        'TaxCategory',
        params,
        ['taxCategoryID', 'timeStamp'],
        [tax],
        (t) => t.taxCategoryID,
        (t) => taxCategoryView(t, at),
      );
    case 'PaymentType':
      return small(
        page,
        'PaymentType',
        params,
        ['paymentTypeID'],
        account.paymentTypes,
        (p) => p.paymentTypeID,
        paymentTypeView,
      );
    case 'Reports/Accounting/PaymentsByDay':
    case 'Reports/Accounting/TaxClassTotals': {
      let dates: string[];
      try {
        dates = dateRange(params.get('startDate'), params.get('endDate'));
      } catch (e) {
        throw new BadRequest((e as Error).message);
      }
      const shop = params.get('shopID');
      const shopID = shop === null ? undefined : Number(shop);
      const payments = resource.endsWith('PaymentsByDay');
      const rows = payments ? paymentsByDay(account, dates, shopID) : taxClassTotals(account, dates, shopID);
      const name = payments ? 'PaymentsByDay' : 'TaxClassTotals';
      return { status: 200, body: rows.length ? { [name]: oneOrMany(rows) } : {} };
    }
    default:
      return {
        status: 404,
        body: { httpCode: '404', httpMessage: 'Not Found', message: `Unknown resource ${resource}` },
      };
  }
}

function small<T>(
  page: (name: string, rows: Iterable<Row>) => ApiReply,
  name: string,
  params: URLSearchParams,
  fields: string[],
  list: T[],
  key: (t: T) => number,
  view: (t: T) => Record<string, unknown>,
): ApiReply {
  const filters = parseFilters(params, fields);
  const rows = list
    .filter((t) => passes(filters, (f) => (f === 'timeStamp' ? 0 : (t as unknown as Record<string, number>)[f]!)))
    .map((t) => ({ key: key(t), view: () => view(t) }));
  return page(name, rows);
}

function saleField(h: SaleHeader, f: string): number | string | boolean {
  if (f === 'completed') return true;
  return (h as unknown as Record<string, number | boolean>)[f]!;
}

/**
 * Sales worth testing against the filters, in saleID order after `after`: the completeTime range the time filters
 * allow (sales are stored in completeTime order) plus, for a timeStamp filter, sales changed later than they closed.
 */
function* saleCandidates(account: Account, filters: Filter[], after: number): Iterable<SaleHeader> {
  const h = account.sales.headers;
  const ct = timeBounds(filters, 'completeTime');
  const ts = timeBounds(filters, 'timeStamp');
  const ids = filters.find((f) => f.field === 'saleID' && (f.op === '=' || f.op === 'IN'));
  if (ids) {
    for (const id of ids.values.map(Number).sort((a, b) => a - b)) {
      const s = account.sales.get(id);
      if (s && id > after) yield s;
    }
    return;
  }
  const loIndex = lowerBound(h, Math.max(ct.lo, ts.lo));
  if (ts.lo > -Infinity)
    for (const id of [...account.sales.touched].sort((a, b) => a - b)) {
      if (id - 1 >= loIndex) break;
      if (id > after) yield account.sales.get(id)!;
    }
  const hi = Math.min(ct.hi, ts.hi);
  for (let i = Math.max(loIndex, after); i < h.length && h[i]!.completeTime <= hi; i++) yield h[i]!;
}
