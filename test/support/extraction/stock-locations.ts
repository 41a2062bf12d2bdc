import type { StockLocationDirectory } from '../../../domain/extraction/stock-locations';

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
