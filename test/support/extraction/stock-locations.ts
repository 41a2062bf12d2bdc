import fs from 'node:fs';
import path from 'node:path';
import { importStockyCsv } from '../../../activities/extraction/stocky-import';
import type { StockyExport } from '../../../domain/extraction/stock-history';
import type { StockLocationDirectory } from '../../../domain/extraction/stock-locations';
import type { Lake } from '../../../lake/lake-writer';

/** The stores the Stocky sample exports (test/support/extraction/stocky-*.csv) name, without a shop to match. */
export const SAMPLE_STOCK_LOCATIONS: StockLocationDirectory = {
  stores: [
    { code: 'W', name: 'Warehouse', shopifyLocationName: null },
    { code: 'C', name: 'Christ Church', shopifyLocationName: 'C' },
    { code: 'EM', name: 'Emerald Mall', shopifyLocationName: 'EM' },
    { code: 'EC', name: 'Emerald City', shopifyLocationName: null },
  ],
  locations: [],
  mappings: [],
};

/** A Stocky sample export of this folder (stocky-adjustments.csv, stocky-transfers.csv, stocky-purchase-orders.csv). */
export const stockySample = (kind: StockyExport) =>
  fs.readFileSync(path.join(import.meta.dirname, `stocky-${kind.replace('_', '-')}.csv`), 'utf8');

/** Imports a sample export as a retailer would, against the stores it names. */
export const importStockySample = (lake: Lake, kind: StockyExport) =>
  importStockyCsv(lake, kind, `stocky-${kind.replace('_', '-')}.csv`, stockySample(kind), SAMPLE_STOCK_LOCATIONS);
