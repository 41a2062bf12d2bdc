import { randomUUID } from 'node:crypto';
import {
  ordersBackfillRun,
  ordersIngestRun,
  ordersToLakeRun,
  reconcileOrdersRun,
} from '../domain/orders/run-summaries';
import { SA } from '../domain/platform/search-attributes';
import type { OrdersBackfillInput } from '../workflows/orders/orders-backfill';
import type { OrdersIngestInput } from '../workflows/orders/orders-ingest';
import { required, type Command } from './commands';

const iso = (v: unknown, name: string) => {
  const s = required(typeof v === 'string' ? v : undefined, name);
  if (Number.isNaN(Date.parse(s))) throw new Error(`--${name} must be an ISO-8601 date or time, got ${s}`);
  return new Date(s).toISOString();
};
const shopifyAttrs = (pipeline: string) => [
  { key: SA.Pipeline, value: pipeline },
  { key: SA.Channel, value: 'shopify' },
];

/** Order pipeline commands: historical backfill, re-syncs, and one-off runs of the scheduled jobs. */
export const ORDERS_COMMANDS: Record<string, Command> = {
  'orders-backfill': {
    summary: 'orders-backfill --from=ISO --to=ISO   historical orders created in [from, to) by a bulk query',
    async run({ client, config, options }) {
      const input: OrdersBackfillInput = { from: iso(options.from, 'from'), to: iso(options.to, 'to') };
      const handle = await client.workflow.start('ordersBackfill', {
        taskQueue: 'shopify',
        workflowId: `orders-backfill/${config.shopify.shop}/${input.from}_${input.to}`,
        args: [input],
        ...ordersBackfillRun(config.shopify.shop, input),
        typedSearchAttributes: shopifyAttrs('orders-backfill'),
      });
      console.log(`started ${handle.workflowId}; follow it with: backbone status ${handle.workflowId}`);
    },
  },
  'orders-resync': {
    summary: 'orders-resync (--from=ISO --to=ISO | --ids=1,2,3)   re-ingest a window of updates or named orders',
    async run({ client, config, options }) {
      const input: OrdersIngestInput =
        typeof options.ids === 'string'
          ? { shop: config.shopify.shop, orderIds: options.ids.split(',').map((s) => s.trim()) }
          : { shop: config.shopify.shop, window: { from: iso(options.from, 'from'), to: iso(options.to, 'to') } };
      const handle = await client.workflow.start('ordersIngest', {
        taskQueue: 'shopify',
        workflowId: `orders-ingest/${config.shopify.shop}/resync-${randomUUID().slice(0, 8)}`,
        args: [input],
        ...ordersIngestRun(input),
        typedSearchAttributes: shopifyAttrs('orders-ingest'),
      });
      console.log(`started ${handle.workflowId}`);
    },
  },
  'orders-lake': {
    summary: 'orders-lake --day=YYYY-MM-DD   export one day of orders to the lake and DynamoDB (idempotent)',
    async run({ client, options }) {
      const day = iso(options.day, 'day').slice(0, 10);
      const r = await client.workflow.execute('ordersToLake', {
        taskQueue: 'data',
        workflowId: `orders-lake/${day}/${randomUUID().slice(0, 8)}`,
        args: [{ day }],
        ...ordersToLakeRun(day),
      });
      console.log(JSON.stringify(r, null, 2));
    },
  },
  'orders-reconcile': {
    summary: 'orders-reconcile --day=YYYY-MM-DD   compare Shopify, the orders DB, the lake and DynamoDB for a day',
    async run({ client, options }) {
      const day = iso(options.day, 'day').slice(0, 10);
      const r = await client.workflow.execute('reconcileOrders', {
        taskQueue: 'data',
        workflowId: `orders-reconcile/${day}/${randomUUID().slice(0, 8)}`,
        args: [{ day }],
        ...reconcileOrdersRun(day),
      });
      console.log(JSON.stringify(r, null, 2));
    },
  },
};
