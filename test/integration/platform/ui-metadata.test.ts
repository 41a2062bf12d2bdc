import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalProductChanged } from '../../../activities/platform/outbox';
import { createPool, pimDb, storeDb } from '../../../db/client';
import { seedDemoData } from '../../../db/seed';
import { createDynamoClient } from '../../../lake/dynamo-tables';
import { catalogBackfillRun, catalogSyncRun } from '../../../domain/catalog/run-summaries';
import { loyaltyIntakeRun, loyaltyStoreExportRun } from '../../../domain/loyalty/run-summaries';
import { LOYALTY_COLUMNS } from '../../../domain/loyalty/loyalty';
import {
  fraudIndicatorsRun,
  orderRoutingRun,
  orderUpsertRun,
  ordersBackfillRun,
  ordersIngestRun,
  ordersToLakeRun,
  reconcileOrdersRun,
} from '../../../domain/orders/run-summaries';
import {
  amazonOrdersRun,
  channelReconcileRun,
  channelRulesRun,
  channelsLedgerWatchRun,
} from '../../../domain/channels/run-summaries';
import { channelSyncWorkflowIdOn } from '../../../activities/channels/channel-signals';
import { orderReservationsWorkflowId } from '../../../activities/orders/ledger-queue';
import { storeIntakeAllRun, storeIntakeWorkflowId } from '../../../domain/inventory/intake-summaries';
import { stockReconcileRun } from '../../../domain/inventory/recon-summaries';
import { inventorySyncRun, stockPushRun, stockPickupRun } from '../../../domain/inventory/run-summaries';
import { healthCheckRun, outboxRelayRun, scanIncomingRun } from '../../../domain/platform/run-summaries';
import { loyaltyStoreExportDayId } from '../../../workflows/loyalty/loyalty-store-export';
import { applySchedules, SCHEDULES } from '../../../cli/schedules';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { startLightspeedSandbox, type LightspeedSandbox } from '../../../sandbox/lightspeed';
import {
  lightspeedBackfillRun,
  lightspeedDailyRun,
  lightspeedIncrementalRun,
} from '../../../domain/extraction/lightspeed-run-summaries';
import { shopifyBackfillRun } from '../../../domain/extraction/shopify-backfill';
import { loadConfig } from '../../../workers/config';
import { createDeps, type Deps } from '../../../workers/deps';
import { activitiesFor } from '../../../workers/registry';
import * as workflows from '../../../workflows';
import { freshTables, uploadCustomersCsv, uploadIncoming } from '../../support/customers/customers-fixture';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

/** Every workflow type the bundle exports (workflow functions are the async functions among the exports). */
const WORKFLOW_TYPES = Object.entries(workflows)
  .filter(([, v]) => typeof v === 'function' && v.constructor.name === 'AsyncFunction')
  .map(([name]) => name)
  .sort();

/** What the Temporal UI shows of one run, read back through the client. */
interface RunMetadata {
  workflowId: string;
  type: string;
  staticSummary?: string;
  staticDetails?: string;
  currentDetails: string;
  activitySummaries: { activity: string; summary?: string }[];
}

describe('runs explain themselves in the Temporal UI', () => {
  const run = `ui-${randomUUID().slice(0, 8)}`;
  const shop = `${run}.myshopify.com`;
  let t: TemporalHarness;
  let sandbox: ShopifySandbox;
  let lightspeed: LightspeedSandbox;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let deps: Deps;

  beforeAll(async () => {
    t = await temporalHarness('ui-metadata');
    sandbox = await startShopifySandbox({ plan: 'plus', shop });
    lightspeed = await startLightspeedSandbox({
      shops: 2,
      days: 2,
      salesPerShopDay: 3,
      items: 30,
      bucket: { drip: 50 },
    });
    dbs = await freshDatabases();
    const base = loadConfig();
    const dynamo = createDynamoClient(base.aws);
    const tablePrefix = await freshTables(dynamo, 'ui');
    dynamo.destroy();
    // The production registry, pointed at this file's own databases, tables and sandbox shop.
    deps = createDeps(
      loadConfig({
        ...process.env,
        PIM_DATABASE_URL: dbs.pim,
        STORE_DATABASE_URL: dbs.store,
        ORDERS_DATABASE_URL: dbs.orders,
        SHOPIFY_SHOP: shop,
        SHOPIFY_ACCESS_TOKEN: sandbox.accessToken,
        SHOPIFY_ADMIN_URL: sandbox.adminGraphqlUrl,
        DYNAMODB_TABLE_PREFIX: tablePrefix,
        EXTRACTION_DATABASE_URL: dbs.extraction,
        INVENTORY_DATABASE_URL: dbs.inventory,
        CHANNELS_DATABASE_URL: dbs.channels,
        // AMAZON_*: the run's shared Amazon sandbox (test/global-setup.ts), through process.env above.
        LIGHTSPEED_ACCOUNT_ID: String(lightspeed.accountID),
        LIGHTSPEED_API_URL: lightspeed.apiUrl,
        LIGHTSPEED_TOKEN_URL: lightspeed.tokenUrl,
        LIGHTSPEED_CLIENT_ID: lightspeed.clientId,
        LIGHTSPEED_CLIENT_SECRET: lightspeed.clientSecret,
        LIGHTSPEED_REFRESH_TOKEN: lightspeed.initialRefreshToken,
        LIGHTSPEED_TOKEN_KEY: '11'.repeat(32),
      }),
    );
    const pools = [createPool(dbs.pim), createPool(dbs.store)];
    await seedDemoData({ pim: pimDb(pools[0]!), store: storeDb(pools[1]!) }, { products: 6, seed: 5 });
    await Promise.all(pools.map((p) => p.end()));
  }, 120_000);
  afterAll(async () => {
    await deps?.close();
    await sandbox?.close();
    await lightspeed?.close();
    await dbs?.drop();
    await t?.close();
  });

  async function metadataOf(workflowId: string): Promise<RunMetadata> {
    const handle = t.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const history = await handle.fetchHistory();
    const text = (p: temporal.api.common.v1.IPayload | null | undefined) =>
      p ? defaultPayloadConverter.fromPayload<string>(p) : undefined;
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return {
      workflowId,
      type: description.type,
      staticSummary: await description.staticSummary(),
      staticDetails: await description.staticDetails(),
      currentDetails: metadata.currentDetails ?? '',
      activitySummaries: (history.events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes)
        .map((e) => ({
          activity: e.activityTaskScheduledEventAttributes!.activityType!.name!,
          summary: text(e.userMetadata?.summary),
        })),
    };
  }

  it('every workflow type has a static summary, every activity call a summary, long runs current details', async () => {
    expect(WORKFLOW_TYPES.length).toBeGreaterThanOrEqual(17);
    const config = loadConfig();
    const q = t.queue;
    const shopifyActs = activitiesFor('shopify', deps);
    const dataActs = activitiesFor('data', deps);
    await (shopifyActs.syncLocationMappings as () => Promise<number>)();

    // Files for the scan: one customers export (with some bad rows) and one loyalty export, in this run's folders.
    const customers = await uploadCustomersCsv(deps.s3, config.aws.buckets.archive, `${run}/customers.csv`, {
      rows: 40,
      seed: 3,
    });
    const loyaltyRows = Array.from(
      { length: 30 },
      (_, i) => `${900 + i},${600_000_000_000 + (i % 5)},C,${i * 10},purchase,2024-05-01T10:00:00Z`,
    );
    await uploadIncoming(
      deps.s3,
      config.aws.buckets.archive,
      'loyalty',
      `${run}/points.csv`,
      `${LOYALTY_COLUMNS.join(',')}\n${loyaltyRows.join('\n')}\n`,
    );

    const day = '2001-02-03';
    const window = { from: '2026-11-30T08:00:00.000Z', to: '2026-11-30T08:05:00.000Z' };
    const id = (name: string) => `${name}/${run}`;
    const finite: string[] = [];
    const firstRuns = new Map<string, string>();
    const start = async (type: string, workflowId: string, args: unknown[], summary: object, role = 'shopify') => {
      const handle = await t.client.workflow.start(type, {
        taskQueue: q(role as 'shopify'),
        workflowId,
        args,
        ...summary,
      });
      firstRuns.set(workflowId, handle.firstExecutionRunId);
      return workflowId;
    };

    sandbox.storefront.placeOrders({ count: 30, seed: 4 });
    const lightspeedActs = activitiesFor('lightspeed', deps);
    const amazonActs = activitiesFor('amazon', deps);
    // The channel syncs a rules change starts (signalWithStart, as production does), on this file's amazon queue.
    const channelSyncs = (['amazon', 'amazon-vendor'] as const).map((c) => channelSyncWorkflowIdOn(c, q('amazon')));
    const completedActivities = async (wid: string) =>
      (await t.client.workflow.getHandle(wid).fetchHistory()).events?.filter(
        (e) => e.activityTaskCompletedEventAttributes,
      ).length ?? 0;
    const workers = { shopify: shopifyActs, data: dataActs, lightspeed: lightspeedActs, amazon: amazonActs };
    const runs = await t.withWorkers(workers, async () => {
      // Started the way production starts them: the outbox's signalWithStart for publishes.
      for (const pimId of [1, 2]) await signalProductChanged(t.client, q('shopify'), pimId);
      finite.push('product-publish/1', 'product-publish/2');
      const backfill = { name: run, filter: { ids: [1, 2, 3] } };
      finite.push(
        await start('catalogBackfill', id('catalog-backfill'), [backfill], catalogBackfillRun(backfill)),
        await start('catalogSync', id('catalog-sync'), [{}], catalogSyncRun()),
        await start('healthCheck', id('health-check'), [], healthCheckRun(), 'data'),
        await start('ordersIngest', id('orders-ingest'), [{ shop }], ordersIngestRun({ shop })),
        await start(
          'ordersIngest',
          id('orders-ingest-continued'),
          [{ shop, pagesPerActivity: 1, activitiesPerRun: 1 }],
          ordersIngestRun({ shop }),
        ),
        await start('ordersIngest', id('orders-resync'), [{ shop, window }], ordersIngestRun({ shop, window })),
        await start('ordersBackfill', id('orders-backfill'), [window], ordersBackfillRun(shop, window)),
        await start('ordersToLake', id('orders-lake'), [{ day }], ordersToLakeRun(day), 'data'),
        await start('fraudIndicators', id('fraud'), [{ lookbackHours: 1 }], fraudIndicatorsRun(1)),
        await start('reconcileOrders', id('orders-reconcile'), [{ day }], reconcileOrdersRun(day), 'data'),
        await start('storeIntakeAll', id('store-intake-all'), [{ day }], storeIntakeAllRun(day), 'data'),
        await start(
          'stockReconcile',
          id('stock-reconcile'),
          [{ day, correct: false }],
          stockReconcileRun({ day, correct: false }),
          'data',
        ),
        await start(
          'loyaltyStoreExport',
          id('loyalty-store-export'),
          [{ day }],
          loyaltyStoreExportRun({ day }),
          'data',
        ),
        await start(
          'lightspeedDaily',
          id('lightspeed-daily'),
          [{ day: '2026-11-30' }],
          lightspeedDailyRun({ day: '2026-11-30' }),
          'data',
        ),
        await start('lightspeedIncremental', id('lightspeed-incremental'), [{}], lightspeedIncrementalRun(), 'data'),
        await start(
          'lightspeedBackfill',
          id('lightspeed-backfill'),
          [{ from: '2026-11-29', to: '2026-11-30' }],
          lightspeedBackfillRun({ from: '2026-11-29', to: '2026-11-30' }),
          'data',
        ),
      );
      // Channels: a rules change (which starts each channel's sync) and a reconcile, both started like the CLI and the
      // schedule start them; the rules affect every SKU, so each channel sync runs a full round.
      const rules = { channels: { shopify: { percent: 60, priority: 1 }, amazon: { percent: 40, priority: 2 } } };
      finite.push(
        await start(
          'channelRulesChange',
          id('channel-rules'),
          [{ doc: rules, author: 'ui-test' }],
          channelRulesRun('ui-test'),
          'data',
        ),
        await start('channelReconcile', id('channel-reconcile'), [{}], channelReconcileRun(), 'data'),
      );
      // The SKU's ledger → Shopify push, under this file's own id (production's `inventory-sync/<sku>` is global).
      const sku = `${run}-SKU`;
      finite.push(await start('inventorySync', id('inventory-sync'), [{ sku }], inventorySyncRun(sku, 'C')));
      // The batched pusher, as the ledger wakes it (production's id is inventory-push/<queue>); nothing is pending.
      finite.push(await start('stockPush', id('inventory-push'), [{ idleStopMs: 300 }], stockPushRun()));
      // Shopify → lake extraction, with the summary its schedule declares (the schedule is how production starts it).
      const extract = SCHEDULES.find((s) => s.id === 'shopify-extract')!;
      finite.push(await start('shopifyExtract', id('shopify-extract'), [{}], extract.summary));
      const history = { from: '2026-11-29T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z', entities: ['customers'] };
      finite.push(await start('shopifyBackfill', id('shopify-backfill'), [history], shopifyBackfillRun(history)));
      const scan = { domains: ['customers', 'loyalty'], under: run };
      finite.push(await start('scanIncomingFiles', id('scan-incoming'), [scan], scanIncomingRun(scan), 'data'));
      const orderGid = 'gid://shopify/Order/424242';
      await t.client.workflow.signalWithStart('orderUpsert', {
        workflowId: id('order'),
        taskQueue: q('shopify'),
        args: [{ shop, orderGid }],
        signal: 'orderChanged',
        signalArgs: [{ topic: 'orders/risk_assessment_changed' }],
        ...orderUpsertRun(shop, orderGid, 'orders/risk_assessment_changed'),
      });
      finite.push(id('order'));
      // After a routing webhook (signalWithStart, as the receiver does); this fulfillment order is unknown to the
      // shop, so it is counted missing, and the run ends after a second with nothing routed.
      const routed = 'gid://shopify/FulfillmentOrder/424242001';
      await t.client.workflow.signalWithStart('orderRouting', {
        workflowId: id('order-routing'),
        taskQueue: q('shopify'),
        args: [{ shop, idleMs: 1_000 }],
        signal: 'fulfillmentOrderRouted',
        signalArgs: [routed],
        ...orderRoutingRun(shop),
      });
      finite.push(id('order-routing'));
      // The long-running ones: a relay and an intake, stopped once they have shown some work. Each activity runs 3 s,
      // so none continues as new (after 50 of them) while the test runs: a new run has no details until its first.
      await start('outboxRelay', id('outbox-relay'), [{ runForMs: 3_000, pollMs: 50 }], outboxRelayRun(), 'data');
      await start(
        'channelsLedgerWatch',
        id('channels-ledger-watch'),
        [{ runForMs: 3_000, pollMs: 50 }],
        channelsLedgerWatchRun(),
        'data',
      );
      await start('stockPickup', id('inventory-pickup'), [{ runForMs: 3_000, pollMs: 50 }], stockPickupRun(), 'data');
      // One pull, then a long sleep: searchOrders' plan on the shared sandbox is a burst of 20, then 1 per 180 s.
      await start('amazonOrders', id('amazon-orders'), [{ pollMs: 600_000 }], amazonOrdersRun(), 'amazon');
      const intake = await t.client.workflow.signalWithStart('loyaltyIntake', {
        workflowId: id('loyalty-intake'),
        taskQueue: q('data'),
        args: [{}],
        signal: 'convertFile',
        signalArgs: [{ key: `incoming/loyalty/${run}/absent.csv`, requestId: 'r1' }],
        ...loyaltyIntakeRun(),
      });

      const outcomes = await Promise.all(
        finite.map((wid) =>
          t.client.workflow
            .getHandle(wid)
            .result()
            .then(
              () => 'ok',
              (e: Error) => `${wid}: ${e.message}`,
            ),
        ),
      );
      expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
      // The scan's children, by their own ids.
      const scanResult = (await t.client.workflow.getHandle(id('scan-incoming')).result()) as { started: string[] };
      expect(scanResult.started).toHaveLength(2);
      await Promise.all(scanResult.started.map((wid) => t.client.workflow.getHandle(wid).result()));
      for (;;) {
        const records = await intake.query<{ outcome: string }[]>('requests');
        if (records[0]?.outcome === 'not-found') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const relayHistory = async () =>
        (await t.client.workflow.getHandle(id('outbox-relay')).fetchHistory()).events?.filter(
          (e) => e.activityTaskCompletedEventAttributes,
        ).length ?? 0;
      while ((await relayHistory()) < 1) await new Promise((r) => setTimeout(r, 200));
      // The ingest's order writes queued their stock and started orderReservations (signalWithStart, as production).
      const reservations = orderReservationsWorkflowId(shop, q('data'));
      for (const wid of [id('channels-ledger-watch'), id('amazon-orders'), id('inventory-pickup'), reservations])
        while ((await completedActivities(wid).catch(() => 0)) < 1) await new Promise((r) => setTimeout(r, 200));
      // Each channel sync's first round (plan every SKU, send, release retries) is over once it reports Synced.
      for (const wid of channelSyncs)
        for (;;) {
          const s = await t.client.workflow
            .getHandle(wid)
            .query<{ rounds: number; status: string }>('status')
            .catch(() => undefined);
          if (s && s.rounds >= 1 && s.status !== 'Running') break;
          await new Promise((r) => setTimeout(r, 200));
        }

      const ids = [
        ...finite,
        ...scanResult.started,
        loyaltyStoreExportDayId(day),
        ...['C', 'EMERALD'].map((code) => storeIntakeWorkflowId(code, day)),
        id('outbox-relay'),
        id('loyalty-intake'),
        id('channels-ledger-watch'),
        id('amazon-orders'),
        id('inventory-pickup'),
        reservations,
        ...channelSyncs,
      ];
      return Promise.all(ids.map(metadataOf));
    });
    for (const wid of [
      id('outbox-relay'),
      id('loyalty-intake'),
      id('channels-ledger-watch'),
      id('amazon-orders'),
      id('inventory-pickup'),
      ...channelSyncs,
    ])
      await t.client.workflow.getHandle(wid).terminate('test done');
    await t.client.workflow
      .getHandle(orderReservationsWorkflowId(shop, q('data')))
      .terminate('test done')
      .catch(() => undefined); // it ends by itself once idle

    if (process.env.UI_METADATA_DUMP) console.log(JSON.stringify(runs, null, 1));
    // Every exported workflow type ran at least once with a summary: a new workflow without one fails here.
    const summarized = new Set(runs.filter((r) => r.staticSummary?.trim()).map((r) => r.type));
    expect(WORKFLOW_TYPES.filter((type) => !summarized.has(type))).toEqual([]);
    // Every activity call has its own summary.
    const calls = runs.flatMap((r) => r.activitySummaries.map((a) => ({ ...a, workflowId: r.workflowId })));
    expect(calls.length).toBeGreaterThan(30);
    expect(calls.filter((c) => !c.summary?.trim())).toEqual([]);
    // Long-running workflows keep current details.
    const detailed = new Set(runs.filter((r) => r.currentDetails.trim()).map((r) => r.type));
    for (const type of [
      'catalogBackfill',
      'catalogSync',
      'productPublish',
      'ordersIngest',
      'ordersBackfill',
      'outboxRelay',
      'loyaltyIntake',
      'scanIncomingFiles',
      'customersImport',
      'loyaltyConvert',
      'channelsLedgerWatch',
      'amazonOrders',
      'channelSync',
      'stockPickup',
      'orderReservations',
      'orderRouting',
    ])
      expect(detailed, type).toContain(type);

    const byId = new Map(runs.map((r) => [r.workflowId, r]));
    // A run continued as new has no static summary (continueAsNew cannot set one in SDK 1.24, and the server does not
    // carry it over): the first run has it, and the current run's details say what it does.
    const continued = t.client.workflow.getHandle(id('orders-ingest-continued'));
    const first = await t.client.workflow
      .getHandle(continued.workflowId, firstRuns.get(continued.workflowId))
      .describe();
    expect(first.runId).not.toBe((await continued.describe()).runId);
    expect(await first.staticSummary()).toBe(`ingest orders ${run} · from the saved cursor`);
    expect(byId.get(continued.workflowId)!.currentDetails).toMatch(/^\*\*done\*\* · ingest window .* · 30 orders/);
    const publish = byId.get('product-publish/1')!;
    expect(publish.staticSummary).toBe('publish product 1');
    expect(publish.activitySummaries.map((a) => a.summary)).toEqual(
      expect.arrayContaining(['productSet 1', 'inventorySetQuantities 1']),
    );
    expect(publish.currentDetails).toMatch(
      /^\*\*done\*\* · push \d · last: (Synced|Skipped) · \d+ variants? · inventory/,
    );
    expect(byId.get(id('catalog-backfill'))!.currentDetails).toMatch(
      /^\*\*done\*\* · 3 \/ 3 products done · \d synced · \d skipped · 0 failed · cursor 3$/,
    );
    expect(byId.get(id('orders-ingest'))!.staticSummary).toBe(`ingest orders ${run} · from the saved cursor`);
    expect(byId.get(id('orders-resync'))!.staticSummary).toBe(`resync orders ${run} · 08:00–08:05`);
    expect(byId.get(id('orders-resync'))!.activitySummaries[0]!.summary).toBe('ingest window 08:00–08:05 · 20 pages');
    const customersRun = runs.find((r) => r.type === 'customersImport')!;
    expect(customersRun.staticSummary).toMatch(/^import customers customers\.csv \(\d+(\.\d)? (B|KB)\)$/);
    expect(customersRun.staticDetails).toContain(`incoming/customers/${run}/customers.csv`);
    expect(byId.get(id('outbox-relay'))!.currentDetails).toMatch(
      /^\*\*relaying\*\* · \d+ outbox rows relayed since start · last poll \(3 s\) ended [\d:]{8}: \d+ rows · \d+ pending/,
    );
    expect(byId.get(id('loyalty-intake'))!.currentDetails).toContain('absent.csv: not-found');

    // No customer PII anywhere in what the UI shows.
    const emails = customers.body.match(/[^\s,"]+@[^\s,"]+/g) ?? [];
    expect(emails.length).toBeGreaterThan(10);
    const shown = JSON.stringify(runs);
    expect(emails.filter((e) => shown.includes(e))).toEqual([]);
  }, 240_000);

  it('schedules start their runs with the declared summary', async () => {
    const declaration = { ...SCHEDULES.find((s) => s.id === 'orders-ingest')!, id: `ui-metadata/${run}` };
    await applySchedules(t.client, [declaration]);
    const handle = t.client.schedule.getHandle(declaration.id);
    try {
      const action = (await handle.describe()).action as { staticSummary?: string; staticDetails?: string };
      expect(action.staticSummary).toMatch(/^ingest orders .+ · from the saved cursor$/);
      expect(action.staticSummary).toBe(declaration.summary.staticSummary);
      expect(action.staticDetails).toBe(declaration.summary.staticDetails);
    } finally {
      await handle.delete();
    }
    for (const s of SCHEDULES) expect(s.summary.staticSummary, s.id).not.toBe('');
  });
});
