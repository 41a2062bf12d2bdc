import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyTransferActivities } from '../../../activities/extraction/shopify-transfers';
import { loadStockLocations } from '../../../activities/extraction/stock-locations';
import { importStockyCsv } from '../../../activities/extraction/stocky-import';
import { createLocationMatcher } from '../../../activities/inventory/location-mappings';
import { ShopifyClient } from '../../../connectors/shopify';
import { createPool, pimDb, storeDb } from '../../../db/client';
import { STOCK_HISTORY_SQL } from '../../../domain/extraction/shopify-transfers';
import { readDeadLetter } from '../../../lake/dead-letters';
import type { Lake } from '../../../lake/lake-writer';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { rawAdmin } from '../../support/sandbox-client';
import { queryLake } from '../../support/extraction/shopify-lake';

// Stocky's exports name a location by the name Stocky read from Shopify, in whatever case its staff typed on the
// import sheets; Shopify's transfers name it by id, with the name it had when the transfer was made. Both are
// resolved to our store code by the matcher's rule (name, case-insensitive; the store's Shopify location name,
// name or code), so one store's history joins Stocky's rows and Shopify's across the shutdown (2026-08-31), even
// when the merchant renamed the location since. A name no store answers to is quarantined with the reason.
describe('stock history per store: Stocky’s location names and Shopify’s location ids → store codes', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const prefix = `stks-${randomUUID().slice(0, 8)}`;
  const shop = `${prefix}.myshopify.com`;
  const lake: Lake = { s3, bucket: `${prefix}-lake`, quarantineBucket: `${prefix}-q` };
  let sb: ShopifySandbox;
  let dbs: FreshDatabases;
  let pools: { store: ReturnType<typeof createPool>; pim: ReturnType<typeof createPool> };
  let shopify: ShopifyClient;

  beforeAll(async () => {
    await ensureBuckets(s3, [lake.bucket, lake.quarantineBucket]);
    dbs = await freshDatabases();
    pools = { store: createPool(dbs.store, 4), pim: createPool(dbs.pim, 4) };
    await pools.store.query('INSERT INTO stores (code, name, shopify_location_name) VALUES ?', [
      [
        ['W', 'Warehouse', null],
        ['C', 'Christ Church', 'C'],
        ['EC', 'Emerald City', null],
      ],
    ]);
    sb = await startShopifySandbox({
      shop,
      locations: [
        { name: 'Warehouse', code: 'W' },
        { name: 'C', code: 'C' },
        { name: 'Emerald City', code: 'EC' },
      ],
    });
    await rawAdmin(sb)(
      `mutation { productSet(synchronous: true, input: { title: "Eggs", productOptions: [{ name: "Size", values: [{ name: "1" }] }], variants: [{ sku: "SKU-0006", price: "2.00", optionValues: [{ optionName: "Size", name: "1" }] }] }) { userErrors { message } } }`,
    );
    shopify = new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
    // The stores were matched to the shop's locations as the stock push does, before the merchant renamed one.
    const matched = await createLocationMatcher({
      pim: pimDb(pools.pim),
      store: storeDb(pools.store),
      shopify,
    }).syncLocationMappings();
    expect(matched).toEqual({ mapped: 3, unmatched: [] });
  });
  afterAll(async () => {
    await sb?.close();
    await pools?.store.end();
    await pools?.pim.end();
    await dbs?.drop();
    s3.destroy();
  });

  const query = <T = Record<string, unknown>>(sql: string) => queryLake<T>(config.aws, s3, lake.bucket, sql);

  it('joins Stocky’s rows and Shopify’s transfers of one store under its code, and quarantines an unknown name', async () => {
    const locations = () => loadStockLocations({ ...pools, shopify });
    const adjustments = [
      'Adjustment #,Date,Location,SKU,Quantity,Reason',
      'ADJ-7001,2026-05-02 09:00,WAREHOUSE,SKU-0006,200,Recount',
      'ADJ-7002,2026-06-02 09:00,emerald city ,SKU-0006,-3,Damaged',
      'ADJ-7003,2026-06-03 09:00,Oistins,SKU-0006,-1,Damaged',
    ].join('\n');
    const transfers = [
      'Transfer #,From Location,To Location,Status,Created At,Shipped At,Received At,SKU,Quantity',
      'T-701,Warehouse,Emerald City,received,2026-07-01 07:00,2026-07-01 08:00,2026-07-01 12:00,SKU-0006,40',
    ].join('\n');
    const adj = await importStockyCsv(lake, 'adjustments', 'adj.csv', adjustments, await locations());
    expect(adj).toMatchObject({ rows: 3, written: 2, quarantined: 1 });
    const letter = await readDeadLetter(lake, adj.deadLetters[0]!);
    expect(letter.rows!.map((r) => [r.row.location, r.reasons])).toEqual([
      [
        'Oistins',
        [
          'Location: location "Oistins" is no store\'s: no store or its Shopify location goes by that name (case-insensitive)',
        ],
      ],
    ]);
    await importStockyCsv(lake, 'transfers', 'tr.csv', transfers, await locations());

    // After the shutdown the merchant renames the warehouse in Shopify admin; a truck leaves it for Emerald City.
    const warehouse = [...sb.state.locations.values()].find((l) => l.code === 'W')!;
    warehouse.name = 'Bridgetown DC';
    const truck = sb.transfers.create({
      origin: 'W',
      destination: 'EC',
      at: '2026-09-10T10:00:00.000Z',
      readyToShip: true,
      lines: [{ sku: 'SKU-0006', quantity: 25 }],
    });
    const shipment = sb.transfers.ship(truck.id, { at: '2026-09-11T08:00:00.000Z' });
    sb.transfers.receive(shipment.id, { at: '2026-09-12T14:00:00.000Z' });
    const acts = createShopifyTransferActivities({ shopify, lake, shop, locations, lagMs: 0 });
    expect(await acts.extractShopifyTransfers()).toMatchObject({ rows: 1, quarantined: 0, deadLetters: [] });

    const history = await query<Record<string, unknown>>(
      `SELECT location, location_name, strftime(moved_at, '%Y-%m-%d') AS day, document, delta, running
       FROM (${STOCK_HISTORY_SQL}) WHERE sku = 'SKU-0006' ORDER BY location, moved_at`,
    );
    expect(history).toEqual([
      {
        location: 'EC',
        location_name: 'emerald city',
        day: '2026-06-02',
        document: 'ADJ-7002',
        delta: -3,
        running: -3,
      },
      { location: 'EC', location_name: 'Emerald City', day: '2026-07-01', document: 'T-701', delta: 40, running: 37 },
      {
        location: 'EC',
        location_name: 'Emerald City',
        day: '2026-09-12',
        document: truck.name,
        delta: 25,
        running: 62,
      },
      { location: 'W', location_name: 'WAREHOUSE', day: '2026-05-02', document: 'ADJ-7001', delta: 200, running: 200 },
      { location: 'W', location_name: 'Warehouse', day: '2026-07-01', document: 'T-701', delta: -40, running: 160 },
      {
        location: 'W',
        location_name: 'Bridgetown DC',
        day: '2026-09-11',
        document: truck.name,
        delta: -25,
        running: 135,
      },
    ]);
    // Each row carries the Shopify location of its store, so the lake joins Shopify's inventory levels too.
    expect(
      await query(
        `SELECT source_system, origin_store AS store, origin_location_id AS id FROM stock.transfers ORDER BY source_system`,
      ),
    ).toEqual([
      { source_system: 'shopify', store: 'W', id: warehouse.id },
      { source_system: 'stocky', store: 'W', id: warehouse.id },
    ]);
  }, 120_000);
});
