import { runSummary, type RunSummary } from '../platform/run-summary';

/** `push stock SKU-1 (C)`: a SKU's ledger → Shopify push, started by a change at a store or a resync. */
export const inventorySyncRun = (sku: string, storeCode?: string): RunSummary =>
  runSummary([`push stock ${sku}`, storeCode], { SKU: sku, store: storeCode });

/** The continuous pickup of POS sales and stock counts from the store DB into the ledger. */
export const stockPickupRun = (): RunSummary =>
  runSummary(['pick up store stock', 'POS sales and counts by high-water mark'], { source: 'store DB' });

/** The batched ledger → Shopify push of every SKU whose ledger changed, woken after each commit. */
export const stockPushRun = (): RunSummary =>
  runSummary(['push pending stock', 'every SKU with ledger changes, in batches'], { target: 'Shopify' });
