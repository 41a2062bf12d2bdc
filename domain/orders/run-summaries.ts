import { count, runSummary, shopName, timeWindow, type RunSummary } from '../platform/run-summary';

const orderNumber = (gid: string | number) => String(gid).replace(/^gid:\/\/shopify\/Order\//, '');

/** Scheduled increments (`ingest orders demo-grocer`), window re-syncs and re-syncs of named orders. */
export function ordersIngestRun(input: {
  shop: string;
  window?: { from: string; to: string };
  orderIds?: (string | number)[];
}): RunSummary {
  const shop = shopName(input.shop);
  if (input.orderIds?.length)
    return runSummary([`resync orders ${shop}`, count(input.orderIds.length, 'order')], {
      orders: input.orderIds.slice(0, 50).map(orderNumber).join(', '),
    });
  if (input.window)
    return runSummary([`resync orders ${shop}`, timeWindow(input.window.from, input.window.to)], {
      window: `${input.window.from} → ${input.window.to}`,
    });
  return runSummary([`ingest orders ${shop}`, 'from the saved cursor'], { shop: input.shop });
}

export const orderUpsertRun = (shop: string, orderGid: string, topic?: string): RunSummary =>
  runSummary([`upsert order ${orderNumber(orderGid)}`, shopName(shop), topic], { order: orderGid });

/** After routing webhooks: the shop's routed fulfillment orders read in batches, reservations moved to them. */
export const orderRoutingRun = (shop: string): RunSummary =>
  runSummary([`order routing ${shopName(shop)}`, 'routed fulfillment orders → reservations at their locations'], {
    shop,
  });

export const ordersBackfillRun = (shop: string, input: { from: string; to: string }): RunSummary =>
  runSummary([`backfill orders ${shopName(shop)}`, `${input.from.slice(0, 10)} → ${input.to.slice(0, 10)}`, 'bulk'], {
    'created in': `[${input.from}, ${input.to})`,
  });

export const ordersToLakeRun = (day?: string): RunSummary =>
  runSummary([`orders to lake · ${day ?? 'changed since the last export'}`], {
    targets: 'lake orders_db.orders + line_items (Parquet), DynamoDB',
  });

export const fraudIndicatorsRun = (lookbackHours = 72): RunSummary =>
  runSummary([`fraud indicators · orders of the last ${lookbackHours} h`]);

export const reconcileOrdersRun = (day?: string): RunSummary =>
  runSummary([`reconcile orders · ${day ?? 'yesterday (UTC)'}`], { compared: 'Shopify, orders DB, lake, DynamoDB' });

/** The ledger hand-over: queued order stock (reserve, release, fulfil) applied in batches. */
export const orderReservationsRun = (shop: string): RunSummary =>
  runSummary([`reserve stock for orders ${shopName(shop)}`, 'queued order writes → ledger'], { shop });
