import { ordersDb } from '../../db/client';
import {
  fraudIndicatorsRun,
  ordersIngestRun,
  ordersToLakeRun,
  reconcileOrdersRun,
} from '../../domain/orders/run-summaries';
import { orderReservationsFrom } from '../inventory';
import type { AreaRegistration } from '../platform/area';
import { extractionLake } from '../platform/lake';
import { createFraudActivities } from './fraud';
import { createLedgerQueueActivities, createStockQueueNudge } from './ledger-queue';
import { createOrderActivities } from './orders';
import { createOrdersBulkActivities } from './orders-bulk';
import { createOrdersLakeActivities } from './orders-lake';
import { createOrderRoutingActivities } from './orders-routing';
import { createReconcileActivities, createShopifyReconcileActivities } from './orders-reconcile';
import { createOrderWebhookActivities } from './orders-webhook';

/** Shopify orders: ingest, webhooks, history, lake, fraud indicators and reconciliation. */
export const ordersArea: AreaRegistration = {
  name: 'orders',
  activities: (deps) => {
    const { config } = deps;
    const orders = ordersDb(deps.pools.orders);
    // Order writes queue their stock with their rows; orderReservations applies it to the ledger in batches.
    const nudgeStock = createStockQueueNudge({ temporal: deps.temporal, shop: config.shopify.shop });
    return {
      data: {
        ...createOrderWebhookActivities({
          orders,
          s3: deps.s3,
          archiveBucket: config.aws.buckets.archive,
          shop: config.shopify.shop,
          nudgeStock,
        }),
        ...createLedgerQueueActivities({ orders: deps.pools.orders, reserve: orderReservationsFrom(deps) }),
        ...createOrdersLakeActivities({
          orders,
          lake: extractionLake(deps),
          dynamo: deps.dynamo,
          tablePrefix: config.aws.tablePrefix,
        }),
        ...createReconcileActivities({
          orders,
          s3: deps.s3,
          dynamo: deps.dynamo,
          bucket: config.aws.buckets.lake,
          tablePrefix: config.aws.tablePrefix,
        }),
      },
      shopify: {
        ...createOrderActivities({ orders, shopify: deps.shopify, shop: config.shopify.shop, nudgeStock }),
        ...createOrderRoutingActivities({ orders, shopify: deps.shopify, shop: config.shopify.shop, nudgeStock }),
        ...createOrdersBulkActivities({ orders, shopify: deps.shopify, shop: config.shopify.shop }),
        ...createFraudActivities({ orders, shopify: deps.shopify }),
        ...createShopifyReconcileActivities({ shopify: deps.shopify, s3: deps.s3, bucket: config.aws.buckets.lake }),
      },
    };
  },
  schedules: [
    {
      id: 'orders-ingest',
      workflowType: 'ordersIngest',
      args: [{ shop: process.env.SHOPIFY_SHOP ?? 'demo-grocer.myshopify.com' }],
      taskQueue: 'shopify',
      spec: { intervals: [{ every: '5 minutes' }] },
      summary: ordersIngestRun({ shop: process.env.SHOPIFY_SHOP ?? 'demo-grocer.myshopify.com' }),
      memo: 'Incremental Shopify orders → orders DB (window from the saved cursor, 2-minute overlap)',
    },
    {
      id: 'fraud-indicators',
      workflowType: 'fraudIndicators',
      args: [{ lookbackHours: 72 }],
      taskQueue: 'shopify',
      spec: { intervals: [{ every: '15 minutes' }] },
      summary: fraudIndicatorsRun(72),
      memo: 'Order.risk assessments for recent orders; HIGH / CANCEL flagged in MySQL and DynamoDB',
    },
    {
      id: 'orders-lake',
      workflowType: 'ordersToLake',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['30 1 * * *'] },
      summary: ordersToLakeRun(),
      memo: 'Orders changed since the last export (catch-up of missed days, late updates into their day) → Parquet lake partitions → DynamoDB',
    },
    {
      id: 'orders-reconcile',
      workflowType: 'reconcileOrders',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['0 2 * * *'] },
      summary: reconcileOrdersRun(),
      memo: "Yesterday's orders: Shopify vs orders DB vs lake vs DynamoDB",
    },
  ],
};
