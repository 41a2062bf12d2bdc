import type { PopulationFilter } from '../../activities/catalog/pim-reads';
import { runSummary, thousands, type RunSummary } from '../platform/run-summary';

/** The population a backfill covers, in words: `sub-department FRUIT · store C`. */
export function populationLabel(filter: PopulationFilter): string {
  const parts = [
    filter.subDepartment && `sub-department ${filter.subDepartment}`,
    filter.storeCode && `store ${filter.storeCode}`,
    filter.createdAfter && `created after ${filter.createdAfter}`,
    filter.ids?.length && `${thousands(filter.ids.length)} listed ids`,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'whole catalogue';
}

/** `publish product 42` (the variant count is only known once the product was read: see the run's current details). */
export const productPublishRun = (pimId: number, force = false): RunSummary =>
  runSummary([`publish product ${pimId}`, force && 'forced'], { 'PIM product': pimId });

export const catalogBackfillRun = (input: {
  name: string;
  filter: PopulationFilter;
  bulkThreshold?: number;
}): RunSummary =>
  runSummary([`backfill ${input.name}`, populationLabel(input.filter)], {
    population: populationLabel(input.filter),
    'bulk from': input.bulkThreshold !== undefined ? `${thousands(input.bulkThreshold)} products` : undefined,
  });

export const catalogSyncRun = (): RunSummary =>
  runSummary(['catalogue sync · PIM ↔ Shopify'], {
    passes: 'PIM content vs last push, then Shopify products vs PIM (archive, drift, missing)',
  });
