import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { PimDb, StoreDb } from '../../db/client';
import { createDraftProduct, setStoreAttributes } from '../../db/pim/catalog-writes';
import { products, storeAttributes, variants } from '../../db/pim/schema';
import { posSales, stock, storeProducts, stores } from '../../db/store/schema';
import {
  AWAITING_ENRICHMENT_TAG,
  checkStockAgainstLedger,
  intakeCounts,
  planIntake,
  saleProblem,
  stockProblem,
  validateStoreProducts,
  type IntakeCounts,
  type LedgerCheckCounts,
  type PimVariantState,
  type Rejected,
  type RejectCode,
  type StockRow,
  type StoreProductRow,
} from '../../domain/inventory/intake';
import { parseCalendarDate } from '../../domain/platform/dates';
import {
  instoreFileKey,
  instoreManifestKey,
  instoreQuarantineKey,
  instoreStateKey,
  productDetailDiffKey,
  productDetailSummaryKey,
  stagedUpdatesKey,
  stockLedgerCheckKey,
} from '../../lake/intake-layout';

export interface PosSaleRow {
  id: number;
  storeCode: string;
  sku: string;
  quantity: number;
  amount: string;
  soldAt: string;
}

type Table = 'store_products' | 'stock' | 'pos_sales';

/** `instore-metadata/dt=…/store=…/manifest.json`: what one day's extract of one store holds. */
export interface InstoreManifest {
  storeCode: string;
  day: string;
  extractedAt: string;
  files: { table: Table; key: string; rows: number; sha256: string }[];
  /** POS sales with ids in (afterId, throughId] were read: the ones after the previous day's extract. */
  posSales: { afterId: number; throughId: number };
}

export interface StoreIntakeSummary {
  storeCode: string;
  day: string;
  products: IntakeCounts;
  stock: { read: number; good: number; rejected: number };
  posSales: { read: number; good: number; rejected: number };
  /** Rejected rows by reason code, every source together. */
  rejectedBy: Partial<Record<RejectCode, number>>;
  draftsCreated: number;
  productsUpdated: number;
  /** The extract's good stock rows against the ledger's on_hand at this store (list: keys.ledgerCheck). */
  ledgerCheck: LedgerCheckCounts;
  keys: { diff: string; summary: string; staged: string; quarantine: string | null; ledgerCheck: string };
}

export interface IntakeDeps {
  store: StoreDb;
  pim: PimDb;
  /** The stock ledger's database: the totals check reads its levels at the store. */
  inventory: Pool;
  s3: S3Client;
  buckets: { lake: string; quarantine: string };
  /** Rows per keyset page of the store DB (and per PIM lookup). */
  pageSize?: number;
}

const ndjson = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const isNoSuchKey = (err: unknown) => err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey';

function checkDay(day: string) {
  if (parseCalendarDate(day) !== day) throw ApplicationFailure.nonRetryable(`not a calendar day: ${day}`, 'InvalidDay');
}

/** Store DB → raw extract in the lake → PIM (drafts, per-store attributes) with a diff report. */
export function createIntakeActivities(deps: IntakeDeps) {
  const pageSize = deps.pageSize ?? 5000;
  const put = (Bucket: string, Key: string, Body: string, ContentType = 'application/x-ndjson') =>
    // A Buffer, so the SDK sends a content-length even for an empty file.
    deps.s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.from(Body), ContentType }));
  async function getText(Bucket: string, Key: string): Promise<string | null> {
    try {
      return await (await deps.s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
    } catch (err) {
      if (isNoSuchKey(err)) return null;
      throw err;
    }
  }
  const getJson = async <T>(Key: string) => {
    const text = await getText(deps.buckets.lake, Key);
    return text === null ? null : (JSON.parse(text) as T);
  };
  const beat = (detail?: unknown) => Context.current().heartbeat(detail);

  async function storeProductsOf(code: string): Promise<StoreProductRow[]> {
    const out: StoreProductRow[] = [];
    for (let after = ''; ;) {
      const page = await deps.store
        .select({
          storeCode: storeProducts.storeCode,
          posSku: storeProducts.posSku,
          sku: storeProducts.sku,
          barcode: storeProducts.barcode,
          shelfPrice: storeProducts.shelfPrice,
        })
        .from(storeProducts)
        .where(and(eq(storeProducts.storeCode, code), gt(storeProducts.posSku, after)))
        .orderBy(asc(storeProducts.posSku))
        .limit(pageSize);
      out.push(...page);
      beat();
      if (page.length < pageSize) return out;
      after = page[page.length - 1]!.posSku;
    }
  }

  async function stockOf(code: string): Promise<StockRow[]> {
    const out: StockRow[] = [];
    for (let after = ''; ;) {
      const page = await deps.store
        .select({ storeCode: stock.storeCode, sku: stock.sku, onHand: stock.onHand })
        .from(stock)
        .where(and(eq(stock.storeCode, code), gt(stock.sku, after)))
        .orderBy(asc(stock.sku))
        .limit(pageSize);
      out.push(...page);
      beat();
      if (page.length < pageSize) return out;
      after = page[page.length - 1]!.sku;
    }
  }

  async function salesOf(code: string, afterId: number): Promise<PosSaleRow[]> {
    const out: PosSaleRow[] = [];
    for (let after = afterId; ;) {
      const page = await deps.store
        .select()
        .from(posSales)
        .where(and(eq(posSales.storeCode, code), gt(posSales.id, after)))
        .orderBy(asc(posSales.id))
        .limit(pageSize);
      out.push(...page.map((s) => ({ ...s, soldAt: s.soldAt.toISOString() })));
      beat();
      if (page.length < pageSize) return out;
      after = page[page.length - 1]!.id;
    }
  }

  /** The PIM's view of the store's SKUs: variants with their product's state and this store's attributes. */
  async function pimStateOf(storeCode: string, skus: string[]): Promise<Map<string, PimVariantState>> {
    const out = new Map<string, PimVariantState>();
    for (let i = 0; i < skus.length; i += 1000) {
      const chunk = skus.slice(i, i + 1000);
      const vs = await deps.pim
        .select({
          productId: variants.productId,
          sku: variants.sku,
          barcode: variants.barcode,
          deletedAt: products.deletedAt,
        })
        .from(variants)
        .innerJoin(products, eq(products.id, variants.productId))
        .where(inArray(variants.sku, chunk));
      const ids = [...new Set(vs.map((v) => v.productId))];
      const attrs = new Map<number, Record<string, string>>();
      if (ids.length)
        for (const a of await deps.pim
          .select()
          .from(storeAttributes)
          .where(and(eq(storeAttributes.storeCode, storeCode), inArray(storeAttributes.productId, ids))))
          attrs.set(a.productId, { ...(attrs.get(a.productId) ?? {}), [a.key]: a.value });
      for (const v of vs)
        out.set(v.sku, {
          productId: v.productId,
          sku: v.sku,
          barcode: v.barcode,
          deleted: v.deletedAt !== null,
          attributes: attrs.get(v.productId) ?? {},
        });
      beat();
    }
    return out;
  }

  /** The ledger's on_hand of every SKU at the store, in keyset pages. */
  async function ledgerLevelsAt(storeCode: string): Promise<{ sku: string; onHand: number }[]> {
    const out: { sku: string; onHand: number }[] = [];
    for (let after = ''; ;) {
      const [page] = await deps.inventory.query<RowDataPacket[]>(
        'SELECT sku, on_hand FROM stock_levels WHERE location = ? AND sku > ? ORDER BY sku LIMIT ?',
        [storeCode, after, pageSize],
      );
      for (const r of page) out.push({ sku: r.sku as string, onHand: r.on_hand as number });
      beat();
      if (page.length < pageSize) return out;
      after = page[page.length - 1]!.sku as string;
    }
  }

  async function barcodeOwnersOf(barcodes: string[]) {
    const out = new Map<string, { sku: string; productId: number }>();
    for (let i = 0; i < barcodes.length; i += 1000) {
      const rows = await deps.pim
        .select({ barcode: variants.barcode, sku: variants.sku, productId: variants.productId })
        .from(variants)
        .where(inArray(variants.barcode, barcodes.slice(i, i + 1000)));
      for (const r of rows) if (r.barcode) out.set(r.barcode, { sku: r.sku, productId: r.productId });
    }
    return out;
  }

  async function readExtract<T>(manifest: InstoreManifest, table: Table): Promise<T[]> {
    const file = manifest.files.find((f) => f.table === table);
    if (!file) return [];
    const text = await getText(deps.buckets.lake, file.key);
    if (text === null || sha256(text) !== file.sha256)
      throw ApplicationFailure.nonRetryable(`${file.key} is missing or differs from its manifest`, 'ExtractChanged');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as T);
  }

  return {
    /** The store codes intake runs for: every store the store DB knows. */
    async listIntakeStores(): Promise<string[]> {
      return (await deps.store.select({ code: stores.code }).from(stores).orderBy(asc(stores.code))).map((s) => s.code);
    },

    /**
     * Reads one store's products, stock and new POS sales and writes them, as they are, to
     * `instore-metadata/dt=<day>/store=<code>/` with a manifest. POS sales are those after the previous extract's
     * high-water mark; re-extracting a day reads from the same mark as that day's first extract did.
     */
    async extractStore(storeCode: string, day: string): Promise<InstoreManifest> {
      checkDay(day);
      const [known] = await deps.store.select().from(stores).where(eq(stores.code, storeCode));
      if (!known) throw ApplicationFailure.nonRetryable(`store ${storeCode} is not in the store DB`, 'UnknownStore');
      const previous = await getJson<InstoreManifest>(instoreManifestKey(day, storeCode));
      const state = await getJson<{ salesThroughId: number }>(instoreStateKey(storeCode));
      const afterId = previous?.posSales.afterId ?? state?.salesThroughId ?? 0;
      const tables: [Table, unknown[]][] = [
        ['store_products', await storeProductsOf(storeCode)],
        ['stock', await stockOf(storeCode)],
        ['pos_sales', await salesOf(storeCode, afterId)],
      ];
      const sales = tables[2]![1] as PosSaleRow[];
      const files: InstoreManifest['files'] = [];
      for (const [table, rows] of tables) {
        const key = instoreFileKey(day, storeCode, table);
        const body = ndjson(rows);
        await put(deps.buckets.lake, key, body);
        files.push({ table, key, rows: rows.length, sha256: sha256(body) });
      }
      const throughId = Math.max(afterId, ...sales.map((s) => s.id));
      const manifest: InstoreManifest = {
        storeCode,
        day,
        extractedAt: new Date().toISOString(),
        files,
        posSales: { afterId, throughId },
      };
      await put(
        deps.buckets.lake,
        instoreManifestKey(day, storeCode),
        JSON.stringify(manifest, null, 1),
        'application/json',
      );
      if (throughId > (state?.salesThroughId ?? 0))
        await put(
          deps.buckets.lake,
          instoreStateKey(storeCode),
          JSON.stringify({ salesThroughId: throughId, day }),
          'application/json',
        );
      return manifest;
    },

    /**
     * Reconciles one day's extract of a store into the PIM (see `planIntake`): bad rows go to the quarantine with
     * their reason, the decided changes to `product-update-uploader/…/staged.json`, then into the PIM through
     * catalog-writes (so each becomes an outbox row and a publish), and the diff report to `product-detail/…`.
     * Idempotent: a second run of the day finds every row unchanged and writes nothing to the PIM.
     */
    async reconcileStoreIntake(storeCode: string, day: string): Promise<StoreIntakeSummary> {
      checkDay(day);
      const manifest = await getJson<InstoreManifest>(instoreManifestKey(day, storeCode));
      if (!manifest)
        throw ApplicationFailure.nonRetryable(`no extract of store ${storeCode} for ${day}`, 'ExtractMissing');
      const productRows = await readExtract<StoreProductRow>(manifest, 'store_products');
      const stockRows = await readExtract<StockRow>(manifest, 'stock');
      const saleRows = await readExtract<PosSaleRow>(manifest, 'pos_sales');

      const { good, duplicates, rejected } = validateStoreProducts(productRows);
      const listed = new Set(productRows.map((r) => r.sku));
      const stockRejected: Rejected<StockRow>[] = stockRows.flatMap((row) => {
        const problem = stockProblem(row, listed);
        return problem ? [{ row, ...problem }] : [];
      });
      const salesRejected: Rejected<PosSaleRow>[] = saleRows.flatMap((row) => {
        const problem = saleProblem(row);
        return problem ? [{ row, ...problem }] : [];
      });

      const pim = await pimStateOf(
        storeCode,
        good.map((r) => r.sku),
      );
      const unknownBarcodes = good.filter((r) => !pim.has(r.sku) && r.barcode).map((r) => r.barcode!);
      const plan = planIntake(good, duplicates, pim, await barcodeOwnersOf(unknownBarcodes));
      const staged = stagedUpdatesKey(day, storeCode);
      await put(
        deps.buckets.lake,
        staged,
        JSON.stringify({ storeCode, day, drafts: plan.drafts, attributeUpdates: plan.attributeUpdates }, null, 1),
        'application/json',
      );

      let draftsCreated = 0;
      const late: { productId: number; set: Record<string, string> }[] = [];
      for (const d of plan.drafts) {
        const out = await createDraftProduct(deps.pim, {
          sku: d.sku,
          barcode: d.barcode,
          price: d.shelfPrice,
          title: `${d.sku} (awaiting enrichment)`,
          tags: [AWAITING_ENRICHMENT_TAG, `store-${storeCode.toLowerCase()}`],
          storeAttributes: Object.entries(d.attributes).map(([key, value]) => ({ storeCode, key, value })),
        });
        // Another store's intake created it meanwhile: this store's attributes still go on it.
        if (out.created) draftsCreated++;
        else late.push({ productId: out.productId, set: d.attributes });
        beat({ drafts: draftsCreated });
      }
      const updates = [...plan.attributeUpdates, ...late];
      let productsUpdated = 0;
      for (let i = 0; i < updates.length; i += 200) {
        productsUpdated += (await setStoreAttributes(deps.pim, storeCode, updates.slice(i, i + 200))).length;
        beat({ updated: productsUpdated });
      }

      const quarantined = [
        ...rejected.map((r) => ({ source: 'store_products', ...r })),
        ...stockRejected.map((r) => ({ source: 'stock', ...r })),
        ...salesRejected.map((r) => ({ source: 'pos_sales', ...r })),
      ];
      const quarantineKey = quarantined.length ? instoreQuarantineKey(day, storeCode) : null;
      if (quarantineKey) await put(deps.buckets.quarantine, quarantineKey, ndjson(quarantined));
      // The day's totals check of the continuous pickup: the store's counts against the ledger's levels there.
      const badStock = new Set(stockRejected.map((r) => r.row.sku));
      const goodStock = stockRows.filter((row) => !badStock.has(row.sku));
      const check = checkStockAgainstLedger(storeCode, goodStock, await ledgerLevelsAt(storeCode), badStock);
      const ledgerCheckKey = stockLedgerCheckKey(day, storeCode);
      await put(deps.buckets.lake, ledgerCheckKey, ndjson(check.differences));
      const rejectedBy: StoreIntakeSummary['rejectedBy'] = {};
      for (const q of quarantined) rejectedBy[q.code] = (rejectedBy[q.code] ?? 0) + 1;
      const summary: StoreIntakeSummary = {
        storeCode,
        day,
        products: intakeCounts(plan.diff, rejected.length),
        stock: {
          read: stockRows.length,
          good: stockRows.length - stockRejected.length,
          rejected: stockRejected.length,
        },
        posSales: {
          read: saleRows.length,
          good: saleRows.length - salesRejected.length,
          rejected: salesRejected.length,
        },
        rejectedBy,
        draftsCreated,
        productsUpdated,
        ledgerCheck: check.counts,
        keys: {
          diff: productDetailDiffKey(day, storeCode),
          summary: productDetailSummaryKey(day, storeCode),
          staged,
          quarantine: quarantineKey,
          ledgerCheck: ledgerCheckKey,
        },
      };
      const order = { added: 0, changed: 1, conflicting: 2, unchanged: 3 };
      const diff = [...plan.diff].sort((a, b) => order[a.status] - order[b.status] || a.posSku.localeCompare(b.posSku));
      await put(deps.buckets.lake, summary.keys.diff, ndjson(diff));
      await put(deps.buckets.lake, summary.keys.summary, JSON.stringify(summary, null, 1), 'application/json');
      return summary;
    },
  };
}
