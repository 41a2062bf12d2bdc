/**
 * Store intake in the lake bucket, per UTC day and store code (the in-store pipeline's own key paths):
 *   instore-metadata/dt=YYYY-MM-DD/store=<code>/store_products.ndjson  the store's products and shelf prices, raw
 *   instore-metadata/dt=YYYY-MM-DD/store=<code>/stock.ndjson           on-hand counts per SKU, raw
 *   instore-metadata/dt=YYYY-MM-DD/store=<code>/pos_sales.ndjson       POS sales since the last run (by id), raw
 *   instore-metadata/dt=YYYY-MM-DD/store=<code>/manifest.json          what was read: files, rows, sha256, sales ids
 *   instore-metadata/_state/store=<code>.json                          the POS sales high-water mark between days
 *   product-update-uploader/products-detail-update/dt=…/store=<code>/staged.json
 *                                                                      the PIM changes decided, before they are applied
 *   product-detail/dt=YYYY-MM-DD/store=<code>/diff.ndjson              one line per row read: added / changed /
 *                                                                      unchanged / conflicting, with its reason
 *   product-detail/dt=YYYY-MM-DD/store=<code>/summary.json             the run's counts
 *   product-detail/dt=YYYY-MM-DD/store=<code>/stock-vs-ledger.ndjson   SKUs whose store DB count differs from the
 *                                                                      ledger's on_hand there, with both numbers
 * Quarantine bucket:
 *   quarantine/instore/dt=YYYY-MM-DD/store=<code>/rejected.ndjson      rows that could not be used: source, code, reason, row
 * A re-run of a day overwrites its own objects with what it read; nothing of another day or store is touched.
 */
const part = (day: string, storeCode: string) => `dt=${day}/store=${encodeURIComponent(storeCode)}/`;

export const instorePrefix = (day: string, storeCode: string) => `instore-metadata/${part(day, storeCode)}`;
export const instoreFileKey = (day: string, storeCode: string, table: 'store_products' | 'stock' | 'pos_sales') =>
  `${instorePrefix(day, storeCode)}${table}.ndjson`;
export const instoreManifestKey = (day: string, storeCode: string) => `${instorePrefix(day, storeCode)}manifest.json`;
export const instoreStateKey = (storeCode: string) =>
  `instore-metadata/_state/store=${encodeURIComponent(storeCode)}.json`;
export const stagedUpdatesKey = (day: string, storeCode: string) =>
  `product-update-uploader/products-detail-update/${part(day, storeCode)}staged.json`;
export const productDetailDiffKey = (day: string, storeCode: string) =>
  `product-detail/${part(day, storeCode)}diff.ndjson`;
export const productDetailSummaryKey = (day: string, storeCode: string) =>
  `product-detail/${part(day, storeCode)}summary.json`;
export const stockLedgerCheckKey = (day: string, storeCode: string) =>
  `product-detail/${part(day, storeCode)}stock-vs-ledger.ndjson`;
export const instoreQuarantineKey = (day: string, storeCode: string) =>
  `quarantine/instore/${part(day, storeCode)}rejected.ndjson`;
