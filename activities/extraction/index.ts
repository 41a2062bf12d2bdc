import '../../domain/extraction/tables';
import type { AreaRegistration } from '../platform/area';

/**
 * Source extraction into the lake (issue 14): Shopify, Lightspeed Retail, Stocky's CSV exports. Every table is
 * written through lake/lake-writer.ts with `extractionLake(deps)`; its definitions register in
 * domain/extraction/tables.ts.
 */
export const extractionArea: AreaRegistration = {
  name: 'extraction',
  activities: () => ({}),
  schedules: [],
};
