import '../../domain/extraction/tables';
import { lightspeedDailyRun, lightspeedIncrementalRun } from '../../domain/extraction/lightspeed-run-summaries';
import type { AreaRegistration } from '../platform/area';
import { extractionLake } from '../platform/lake';
import { lightspeedAccount } from './lightspeed-account';
import { createLightspeedReconcileActivities } from './lightspeed-reconcile';
import { createLightspeedReferenceActivities } from './lightspeed-reference';
import { createLightspeedSalesActivities } from './lightspeed-sales';
import { EXTRACTION_PRIORITY } from '../../domain/extraction/shopify-extraction';
import { runSummary } from '../../domain/platform/run-summary';
import { createShopifyBackfillActivities } from './shopify-backfill';
import { createShopifyDeletionActivities } from './shopify-deletions';
import { createShopifyExtractActivities } from './shopify-extract';
import { createShopifyTransferActivities } from './shopify-transfers';
import { loadStockLocations } from './stock-locations';

/**
 * Source extraction into the lake (issue 14): Shopify, Lightspeed Retail, Stocky's CSV exports. Every table is
 * written through lake/lake-writer.ts with `extractionLake(deps)`; its definitions register in
 * domain/extraction/tables.ts.
 */
export const extractionArea: AreaRegistration = {
  name: 'extraction',
  activities: (deps) => {
    // The account is read when an activity runs, so a worker without Lightspeed configured still starts.
    const account = () => lightspeedAccount(deps);
    const client = async () => {
      const a = account();
      await a.ready();
      return a.client;
    };
    const lake = extractionLake(deps);
    return {
      shopify: {
        ...createShopifyExtractActivities({ shopify: deps.shopify, lake, shop: deps.config.shopify.shop }),
        ...createShopifyTransferActivities({
          shopify: deps.shopify,
          lake,
          shop: deps.config.shopify.shop,
          locations: () => loadStockLocations({ store: deps.pools.store, pim: deps.pools.pim, shopify: deps.shopify }),
        }),
        ...createShopifyBackfillActivities({ shopify: deps.shopify, lake, shop: deps.config.shopify.shop }),
        ...createShopifyDeletionActivities({
          shopify: deps.shopify,
          lake,
          aws: deps.config.aws,
          shop: deps.config.shopify.shop,
        }),
      },
      lightspeed: {
        ...createLightspeedSalesActivities({ client, lake }),
        ...createLightspeedReferenceActivities({
          client,
          accountId: () => account().accountId,
          lake,
          pool: deps.pools.extraction,
        }),
        ...createLightspeedReconcileActivities({
          client,
          accountId: () => account().accountId,
          pool: deps.pools.extraction,
          s3: deps.s3,
          aws: deps.config.aws,
          bucket: deps.config.aws.buckets.lake,
        }),
      },
    };
  },
  schedules: [
    {
      id: 'shopify-extract',
      workflowType: 'shopifyExtract',
      args: [{ transfers: true }],
      taskQueue: 'shopify',
      spec: { intervals: [{ every: '15 minutes' }] },
      summary: runSummary(
        ['extract Shopify → lake · orders, customers, products, stock, transfers, deletions since the cursors'],
        {
          priority: String(EXTRACTION_PRIORITY.priorityKey),
        },
      ),
      memo: 'Orders (+ line items, refunds, refund lines, tax lines), customers, products (+ variants), inventory levels per location → shopify.* lake tables; native inventory transfers → stock.transfers; destroy events → tombstones',
    },
    {
      id: 'lightspeed-incremental',
      workflowType: 'lightspeedIncremental',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['*/15 * * * *'] },
      summary: lightspeedIncrementalRun(),
      memo: 'Lightspeed sales changed since each shop’s cursor (5 min overlap) → lake lightspeed/sales, sale_lines, payments, tax_lines',
    },
    {
      id: 'lightspeed-daily',
      workflowType: 'lightspeedDaily',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['0 5 * * *'] },
      summary: lightspeedDailyRun({}),
      memo: "Yesterday per Lightspeed shop: shops, registers, items, stock snapshot, the day's sales, reconciled with PaymentsByDay/TaxClassTotals",
    },
  ],
};
