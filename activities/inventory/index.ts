import { pimDb, storeDb } from '../../db/client';
import { storeIntakeAllRun } from '../../domain/inventory/intake-summaries';
import { stockReconcileRun } from '../../domain/inventory/recon-summaries';
import { allocationsFor } from '../channels/allocations';
import type { AreaRegistration } from '../platform/area';
import type { Deps } from '../platform/deps';
import { createIntakeActivities } from './intake';
import { createInventoryActivities } from './inventory';
import { createLedger } from './ledger';
import { createLedgerActivities } from './ledger-activities';
import { createLedgerReads } from './ledger-reads';
import { createOrderReservations } from './order-reservations';
import { createReconActivities } from './recon';
import { createStockPushActivities } from './stock-push';

/** The ledger and its reads, built from the worker's clients (other areas apply movements through it too). */
export function ledgerFrom(deps: Deps) {
  const ledger = createLedger({
    inventory: deps.pools.inventory,
    pim: deps.pools.pim,
    store: deps.pools.store,
    s3: deps.s3,
    quarantineBucket: deps.config.aws.buckets.quarantine,
  });
  return { ledger, reads: createLedgerReads({ inventory: deps.pools.inventory, pim: deps.pools.pim }) };
}

/** Shopify orders → ledger reservations, for the order paths (webhook, re-read, ingest). */
export function orderReservationsFrom(deps: Deps) {
  const { ledger, reads } = ledgerFrom(deps);
  const push = createStockPushActivities({
    inventory: deps.pools.inventory,
    pim: deps.pools.pim,
    store: deps.pools.store,
    shopify: deps.shopify,
    reads,
  });
  return createOrderReservations({
    inventory: deps.pools.inventory,
    pim: deps.pools.pim,
    ledger,
    reads,
    publishedSkus: push.publishedSkus,
    temporal: deps.temporal,
  });
}

/**
 * The stock ledger (movements, levels, reservations, continuous store pickup), stock → Shopify per location,
 * and the daily store intake into the PIM.
 */
export const inventoryArea: AreaRegistration = {
  name: 'inventory',
  activities: (deps) => {
    const { ledger, reads } = ledgerFrom(deps);
    const push = createStockPushActivities({
      inventory: deps.pools.inventory,
      pim: deps.pools.pim,
      store: deps.pools.store,
      shopify: deps.shopify,
      reads,
      allocations: allocationsFor(deps),
    });
    return {
      shopify: {
        ...createInventoryActivities({
          pim: pimDb(deps.pools.pim),
          store: storeDb(deps.pools.store),
          shopify: deps.shopify,
          push: push.pushSkus,
        }),
        pushSkuStock: push.pushSkuStock,
        pushPendingStock: push.pushPendingStock,
      },
      data: {
        ...createIntakeActivities({
          pim: pimDb(deps.pools.pim),
          store: storeDb(deps.pools.store),
          inventory: deps.pools.inventory,
          s3: deps.s3,
          buckets: deps.config.aws.buckets,
        }),
        ...createLedgerActivities({
          store: deps.pools.store,
          inventory: deps.pools.inventory,
          ledger,
          temporal: deps.temporal,
          laggingSkus: push.laggingSkus,
        }),
        ...createReconActivities({
          ...deps.pools,
          shopify: deps.shopify,
          s3: deps.s3,
          buckets: deps.config.aws.buckets,
          ledger,
          reads,
          temporal: deps.temporal,
          allocations: allocationsFor(deps),
        }),
      },
    };
  },
  schedules: [
    {
      id: 'store-intake',
      workflowType: 'storeIntakeAll',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['30 2 * * *'] },
      summary: storeIntakeAllRun(),
      memo: 'Daily PIM intake per store code: store DB → instore-metadata/ → PIM drafts, shelf prices, diff report',
    },
    {
      id: 'stock-reconcile',
      workflowType: 'stockReconcile',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['0 5 * * *'] },
      summary: stockReconcileRun(),
      memo: 'Store DB × ledger × Shopify per SKU × location: classify, correct, report to inventory-reconcile/',
    },
  ],
};
