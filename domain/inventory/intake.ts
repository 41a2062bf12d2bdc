import { isValidGtin } from '../catalog/gtin';

/**
 * Store intake: the rules that turn one store's rows (store_products, stock) into PIM changes. Pure: the activity
 * reads both sides and applies what `planIntake` decides.
 */

/** The chain's SKU format: sub-department prefix, six-digit item, size (and variety for wide ranges). */
export const SKU_FORMAT = /^[A-Z]{3}-\d{6}-\d{1,2}(-\d{1,2})?$/;
const MONEY = /^\d{1,10}(\.\d{1,2})?$/;

/** The store attributes intake owns, per SKU (a product's variants share its attribute rows). */
export const shelfPriceKey = (sku: string) => `shelf_price.${sku}`;
export const posSkuKey = (sku: string) => `pos_sku.${sku}`;
/** Intake writes and refreshes only these keys; every other store attribute (aisle, local name) is the PIM's. */
export const isIntakeKey = (key: string) => key.startsWith('shelf_price.') || key.startsWith('pos_sku.');

export const AWAITING_ENRICHMENT_TAG = 'awaiting-enrichment';

export interface StoreProductRow {
  storeCode: string;
  posSku: string;
  sku: string;
  barcode: string | null;
  shelfPrice: string;
}

export interface StockRow {
  storeCode: string;
  sku: string;
  onHand: number;
}

export type RejectCode =
  | 'BAD_BARCODE'
  | 'NEGATIVE_PRICE'
  | 'MALFORMED_PRICE'
  | 'UNKNOWN_SKU_FORMAT'
  | 'NEGATIVE_COUNT'
  | 'ZERO_QUANTITY'
  | 'UNKNOWN_SKU'
  | 'DUPLICATE_CONFLICT';

export interface Rejected<R> {
  row: R;
  code: RejectCode;
  reason: string;
}

/** Why a store_products row cannot be used, or null. */
export function storeProductProblem(r: StoreProductRow): { code: RejectCode; reason: string } | null {
  if (!SKU_FORMAT.test(r.sku))
    return { code: 'UNKNOWN_SKU_FORMAT', reason: `SKU '${r.sku}' is not in the chain's format (e.g. BAK-000123-1)` };
  const price = r.shelfPrice.trim();
  if (price.startsWith('-')) return { code: 'NEGATIVE_PRICE', reason: `shelf price ${price} is negative` };
  if (!MONEY.test(price)) return { code: 'MALFORMED_PRICE', reason: `shelf price '${price}' is not an amount` };
  if (r.barcode !== null && r.barcode !== '' && !isValidGtin(r.barcode))
    return { code: 'BAD_BARCODE', reason: `barcode '${r.barcode}' is not a valid GTIN (length or check digit)` };
  return null;
}

/** Why a stock row cannot be used, or null; `listed`: the SKUs the store's product list has. */
export function stockProblem(r: StockRow, listed: ReadonlySet<string>): { code: RejectCode; reason: string } | null {
  if (!SKU_FORMAT.test(r.sku))
    return { code: 'UNKNOWN_SKU_FORMAT', reason: `SKU '${r.sku}' is not in the chain's format (e.g. BAK-000123-1)` };
  if (r.onHand < 0) return { code: 'NEGATIVE_COUNT', reason: `on-hand count ${r.onHand} is negative` };
  if (!listed.has(r.sku))
    return { code: 'UNKNOWN_SKU', reason: `stock of ${r.sku}, which the store's product list does not have` };
  return null;
}

/** Why a POS sale cannot be used, or null (a negative quantity is a return, which is a sale too). */
export function saleProblem(r: { sku: string; quantity: number }): { code: RejectCode; reason: string } | null {
  if (!SKU_FORMAT.test(r.sku))
    return { code: 'UNKNOWN_SKU_FORMAT', reason: `SKU '${r.sku}' is not in the chain's format (e.g. BAK-000123-1)` };
  if (r.quantity === 0) return { code: 'ZERO_QUANTITY', reason: 'a sale of 0 units' };
  return null;
}

/** Prices compared as amounts: the store DB says `4.5`, the PIM `4.50`. */
const cents = (price: string) => Math.round(Number(price) * 100);
export const normalPrice = (price: string) => (cents(price) / 100).toFixed(2);

/**
 * Splits a store's product rows into usable and rejected ones. A SKU on two POS items with different barcodes or
 * prices is ambiguous (which one is on the shelf?): both are rejected. With the same content, the first (by POS SKU)
 * is used and the others count as read and unchanged.
 */
export function validateStoreProducts(rows: readonly StoreProductRow[]): {
  good: StoreProductRow[];
  duplicates: { row: StoreProductRow; of: string }[];
  rejected: Rejected<StoreProductRow>[];
} {
  const rejected: Rejected<StoreProductRow>[] = [];
  const bySku = new Map<string, StoreProductRow[]>();
  for (const row of [...rows].sort((a, b) => a.posSku.localeCompare(b.posSku))) {
    const problem = storeProductProblem(row);
    if (problem) rejected.push({ row, ...problem });
    else bySku.set(row.sku, [...(bySku.get(row.sku) ?? []), row]);
  }
  const good: StoreProductRow[] = [];
  const duplicates: { row: StoreProductRow; of: string }[] = [];
  for (const [sku, same] of bySku) {
    const first = same[0]!;
    const content = (r: StoreProductRow) => `${r.barcode ?? ''}|${normalPrice(r.shelfPrice)}`;
    if (same.some((r) => content(r) !== content(first))) {
      const posSkus = same.map((r) => r.posSku).join(', ');
      for (const row of same)
        rejected.push({
          row,
          code: 'DUPLICATE_CONFLICT',
          reason: `SKU ${sku} is on POS items ${posSkus} with different barcodes or prices`,
        });
      continue;
    }
    good.push(first);
    for (const row of same.slice(1)) duplicates.push({ row, of: first.posSku });
  }
  return { good, duplicates, rejected };
}

/** What the PIM holds for one store SKU. */
export interface PimVariantState {
  productId: number;
  sku: string;
  barcode: string | null;
  deleted: boolean;
  /** This store's attributes of the product (every key, intake's and the PIM's). */
  attributes: Readonly<Record<string, string>>;
}

export type DiffStatus = 'added' | 'changed' | 'unchanged' | 'conflicting';

export interface DiffRow {
  storeCode: string;
  posSku: string;
  sku: string;
  status: DiffStatus;
  reason: string;
  productId?: number;
  changes?: { key: string; from: string | null; to: string }[];
}

export interface DraftProduct {
  sku: string;
  barcode: string | null;
  shelfPrice: string;
  attributes: Record<string, string>;
}

export interface IntakePlan {
  diff: DiffRow[];
  /** Store SKUs the PIM does not know: new draft products, waiting for enrichment. */
  drafts: DraftProduct[];
  /** Per product: this store's intake-owned attributes to set (only the ones that differ). */
  attributeUpdates: { productId: number; set: Record<string, string> }[];
}

/**
 * Decides, for one store's usable rows, what changes in the PIM. Store data fills only what the store owns (its
 * shelf price and POS SKU as per-store attributes); PIM-owned fields (title, description, images, categories,
 * barcodes) are never written: a disagreement is reported as `conflicting`, with the PIM's value kept.
 *
 * `barcodeOwners`: barcode → PIM SKU, for the unknown SKUs' barcodes (a new SKU whose barcode the PIM already has
 * under another SKU is a re-coded item, not a new product).
 */
export function planIntake(
  good: readonly StoreProductRow[],
  duplicates: readonly { row: StoreProductRow; of: string }[],
  pim: ReadonlyMap<string, PimVariantState>,
  barcodeOwners: ReadonlyMap<string, { sku: string; productId: number }>,
): IntakePlan {
  const diff: DiffRow[] = [];
  const drafts: DraftProduct[] = [];
  const updates = new Map<number, Record<string, string>>();
  const base = (r: StoreProductRow) => ({ storeCode: r.storeCode, posSku: r.posSku, sku: r.sku });
  for (const r of good) {
    const wanted = { [shelfPriceKey(r.sku)]: normalPrice(r.shelfPrice), [posSkuKey(r.sku)]: r.posSku };
    const v = pim.get(r.sku);
    if (!v) {
      const owner = r.barcode ? barcodeOwners.get(r.barcode) : undefined;
      if (owner) {
        diff.push({
          ...base(r),
          status: 'conflicting',
          reason: `not in the PIM, but its barcode ${r.barcode} belongs to PIM SKU ${owner.sku} (product ${owner.productId}): no draft created`,
          productId: owner.productId,
        });
        continue;
      }
      drafts.push({
        sku: r.sku,
        barcode: r.barcode || null,
        shelfPrice: normalPrice(r.shelfPrice),
        attributes: wanted,
      });
      diff.push({
        ...base(r),
        status: 'added',
        reason: 'not in the PIM: draft product created, awaiting enrichment',
        changes: Object.entries(wanted).map(([key, to]) => ({ key, from: null, to })),
      });
      continue;
    }
    if (v.deleted) {
      diff.push({
        ...base(r),
        status: 'conflicting',
        reason: `PIM product ${v.productId} is deleted; the store still sells ${r.sku}: not revived`,
        productId: v.productId,
      });
      continue;
    }
    const set = { ...(updates.get(v.productId) ?? {}) };
    const changes = Object.entries(wanted)
      .filter(([key, to]) => v.attributes[key] !== to)
      .map(([key, to]) => ({ key, from: v.attributes[key] ?? null, to }));
    for (const c of changes) set[c.key] = c.to;
    if (changes.length) updates.set(v.productId, set);
    const barcodeConflict = r.barcode && v.barcode && r.barcode !== v.barcode;
    const what = changes.map((c) => `${c.key.split('.')[0]} ${c.from ?? '(none)'} → ${c.to}`).join(', ');
    diff.push({
      ...base(r),
      productId: v.productId,
      ...(changes.length ? { changes } : {}),
      ...(barcodeConflict
        ? {
            status: 'conflicting' as const,
            reason: `store barcode ${r.barcode} differs from the PIM's ${v.barcode}: PIM kept${what ? `; ${what}` : ''}`,
          }
        : changes.length
          ? { status: 'changed' as const, reason: what }
          : { status: 'unchanged' as const, reason: 'shelf price and POS SKU as in the PIM' }),
    });
  }
  for (const { row, of } of duplicates)
    diff.push({ ...base(row), status: 'unchanged', reason: `same SKU and content as POS item ${of}; counted once` });
  return { diff, drafts, attributeUpdates: [...updates].map(([productId, set]) => ({ productId, set })) };
}

export interface IntakeCounts {
  read: number;
  good: number;
  rejected: number;
  added: number;
  changed: number;
  unchanged: number;
  conflicting: number;
}

export function intakeCounts(diff: readonly DiffRow[], rejected: number): IntakeCounts {
  const n = (s: DiffStatus) => diff.filter((d) => d.status === s).length;
  return {
    read: diff.length + rejected,
    good: diff.length,
    rejected,
    added: n('added'),
    changed: n('changed'),
    unchanged: n('unchanged'),
    conflicting: n('conflicting'),
  };
}

/** One SKU where the store DB's count and the ledger's on_hand at that store disagree. */
export interface LedgerDifference {
  storeCode: string;
  sku: string;
  /** The store DB's count in the day's extract (null: the store DB has no stock row for the SKU). */
  storeCount: number | null;
  /** The ledger's on_hand at the store (null: the ledger has no level there). */
  ledgerOnHand: number | null;
  /** ledger − store, with a missing side as 0. */
  difference: number;
  reason: 'ledger_differs' | 'not_in_ledger' | 'not_in_store';
}

export interface LedgerCheckCounts {
  /** SKUs compared: every good stock row and every ledger level of the store, once each. */
  compared: number;
  matching: number;
  differing: number;
  byReason: Partial<Record<LedgerDifference['reason'], number>>;
}

/**
 * The daily totals check of the continuous pickup: per SKU at one store, the store DB's count (good extract rows)
 * against the ledger's on_hand. A side that is missing counts as 0, so a zero count with no ledger level (or the
 * reverse) matches. SKUs whose stock row was rejected (`excluded`: quarantined with their reason) are not compared.
 */
export function checkStockAgainstLedger(
  storeCode: string,
  storeRows: readonly StockRow[],
  ledger: readonly { sku: string; onHand: number }[],
  excluded: ReadonlySet<string> = new Set(),
): { counts: LedgerCheckCounts; differences: LedgerDifference[] } {
  const levels = new Map(ledger.filter((l) => !excluded.has(l.sku)).map((l) => [l.sku, l.onHand]));
  const counted = new Map(storeRows.map((r) => [r.sku, r.onHand]));
  const differences: LedgerDifference[] = [];
  for (const sku of new Set([...counted.keys(), ...levels.keys()])) {
    const storeCount = counted.get(sku) ?? null;
    const ledgerOnHand = levels.get(sku) ?? null;
    const difference = (ledgerOnHand ?? 0) - (storeCount ?? 0);
    if (difference === 0) continue;
    const reason = storeCount === null ? 'not_in_store' : ledgerOnHand === null ? 'not_in_ledger' : 'ledger_differs';
    differences.push({ storeCode, sku, storeCount, ledgerOnHand, difference, reason });
  }
  differences.sort((a, b) => Math.abs(b.difference) - Math.abs(a.difference) || a.sku.localeCompare(b.sku));
  const compared = new Set([...counted.keys(), ...levels.keys()]).size;
  const byReason: LedgerCheckCounts['byReason'] = {};
  for (const d of differences) byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
  return {
    counts: { compared, matching: compared - differences.length, differing: differences.length, byReason },
    differences,
  };
}
