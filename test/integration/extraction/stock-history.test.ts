import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createShopifyTransferActivities,
  transfersCursorName,
  type TransfersCursor,
} from '../../../activities/extraction/shopify-transfers';
import { listLocations, ShopifyClient } from '../../../connectors/shopify';
import { STOCK_HISTORY_SQL } from '../../../domain/extraction/shopify-transfers';
import { readCursor } from '../../../lake/lake-cursors';
import type { Lake } from '../../../lake/lake-writer';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { rawAdmin } from '../../support/sandbox-client';
import { importStockySample, SAMPLE_STOCK_LOCATIONS } from '../../support/extraction/stock-locations';
import { queryLake } from '../../support/extraction/shopify-lake';

type Move = {
  sku: string;
  location: string;
  location_name: string;
  moved_at: string;
  kind: string;
  document: string;
  source_system: string;
  delta: number;
  running: number;
};

// Stocky's API shut down on 2026-08-31; its history is the CSV exports, what came after is Shopify's native
// transfers. One query over stock.* must read both as one history per SKU × location.
describe('stock history across Stocky’s shutdown: Stocky CSV + Shopify native transfers → one history', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const prefix = `stkh-${randomUUID().slice(0, 8)}`;
  const shop = `${prefix}.myshopify.com`;
  const lake: Lake = { s3, bucket: `${prefix}-lake`, quarantineBucket: `${prefix}-q` };
  let sb: ShopifySandbox;
  let acts: ReturnType<typeof createShopifyTransferActivities>;

  beforeAll(async () => {
    await ensureBuckets(s3, [lake.bucket, lake.quarantineBucket]);
    // The chain's locations as Stocky's exports name them (Stocky read Shopify's location names).
    sb = await startShopifySandbox({
      shop,
      locations: [
        { name: 'Warehouse', code: 'W' },
        { name: 'C', code: 'C' },
        { name: 'EM', code: 'EM' },
        { name: 'Emerald City', code: 'EC' },
      ],
    });
    const gql = rawAdmin(sb);
    for (let i = 1; i <= 6; i++) {
      const sku = `SKU-000${i}`;
      await gql(
        `mutation($sku: String!) { productSet(synchronous: true, input: { title: $sku, productOptions: [{ name: "Size", values: [{ name: "1" }] }], variants: [{ sku: $sku, price: "2.00", optionValues: [{ optionName: "Size", name: "1" }] }] }) { userErrors { message } } }`,
        { sku },
      );
    }
    const shopify = new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
    acts = createShopifyTransferActivities({
      shopify,
      lake,
      shop,
      locations: async () => ({ ...SAMPLE_STOCK_LOCATIONS, locations: await listLocations(shopify) }),
      lagMs: 0,
      overlapMs: 60_000,
      pageSize: 2,
    });
  });
  afterAll(async () => {
    await sb?.close();
    s3.destroy();
  });

  const query = <T = Record<string, unknown>>(sql: string) => queryLake<T>(config.aws, s3, lake.bucket, sql);

  it('reads Stocky’s exports and Shopify’s transfers, pass after pass, as one history without gaps or duplicates', async () => {
    await importStockySample(lake, 'adjustments');
    await importStockySample(lake, 'transfers');
    const desk = sb.transfers;

    // Stocky's T-502 was in transit at the shutdown; it carries on in Shopify under its Stocky number.
    const t502 = desk.create({
      origin: 'W',
      destination: 'EM',
      referenceName: 'T-502',
      at: '2026-08-28T11:00:00.000Z',
      readyToShip: true,
      lines: [{ sku: 'SKU-0002', quantity: 60 }],
    });
    const t502s = desk.ship(t502.id, { at: '2026-08-28T19:00:00.000Z' });
    // A truck after the shutdown, received with 2 damaged units rejected; a store-to-store draft.
    const truck = desk.create({
      origin: 'W',
      destination: 'C',
      at: '2026-09-10T10:00:00.000Z',
      readyToShip: true,
      lines: [
        { sku: 'SKU-0001', quantity: 100 },
        { sku: 'SKU-0003', quantity: 30 },
      ],
    });
    const truckS = desk.ship(truck.id, { at: '2026-09-11T08:00:00.000Z' });
    desk.receive(truckS.id, {
      at: '2026-09-12T14:00:00.000Z',
      lines: [
        { sku: 'SKU-0001', accepted: 98, rejected: 2 },
        { sku: 'SKU-0003', accepted: 30 },
      ],
    });
    const swap = desk.create({
      origin: 'C',
      destination: 'EM',
      at: '2026-09-20T10:00:00.000Z',
      lines: [{ sku: 'SKU-0001', quantity: 5 }],
    });
    const cancel = desk.create({
      origin: 'W',
      destination: 'EM',
      at: '2026-09-21T10:00:00.000Z',
      lines: [{ sku: 'SKU-0004', quantity: 9 }],
    });

    const first = await acts.extractShopifyTransfers();
    expect(first).toMatchObject({ rows: 5, quarantined: 0, deadLetters: [] });
    expect((await readCursor<TransfersCursor>(lake, transfersCursorName(shop)))!.open.sort()).toEqual(
      [t502.id, swap.id, cancel.id].sort(),
    );

    // Between passes: T-502 arrives, the swap ships and arrives, a draft is canceled, a new transfer is created.
    desk.receive(t502s.id, { at: '2026-09-03T09:00:00.000Z' });
    desk.markReadyToShip(swap.id);
    const swapS = desk.ship(swap.id, { at: '2026-09-22T08:00:00.000Z' });
    desk.receive(swapS.id, { at: '2026-09-22T15:00:00.000Z' });
    desk.cancel(cancel.id);
    const late = desk.create({ origin: 'W', destination: 'C', lines: [{ sku: 'SKU-0005', quantity: 12 }] });
    const second = await acts.extractShopifyTransfers();
    expect(second.deadLetters).toEqual([]);
    expect((await readCursor<TransfersCursor>(lake, transfersCursorName(shop)))!.open).toEqual([late.id]);
    await acts.extractShopifyTransfers(); // nothing new: writes nothing twice

    // Every Shopify transfer line is in the lake as the shop shows it now: no transfer missed, none stale.
    const lakeRows = await query<{ transfer_id: string; sku: string; status: string; received: number }>(
      `SELECT transfer_id, sku, status, quantity_received::INT AS received FROM stock.transfers WHERE source_system = 'shopify' ORDER BY transfer_id, sku`,
    );
    expect(lakeRows).toEqual([
      { transfer_id: t502.name, sku: 'SKU-0002', status: 'TRANSFERRED', received: 60 },
      { transfer_id: truck.name, sku: 'SKU-0001', status: 'TRANSFERRED', received: 98 },
      { transfer_id: truck.name, sku: 'SKU-0003', status: 'TRANSFERRED', received: 30 },
      { transfer_id: swap.name, sku: 'SKU-0001', status: 'TRANSFERRED', received: 5 },
      { transfer_id: cancel.name, sku: 'SKU-0004', status: 'CANCELED', received: 0 },
      { transfer_id: late.name, sku: 'SKU-0005', status: 'DRAFT', received: 0 },
    ]);

    // One DuckDB query over the lake: the history per SKU × location.
    const history = await query<Move>(
      `SELECT * REPLACE (strftime(moved_at, '%Y-%m-%dT%H:%M') AS moved_at) FROM (${STOCK_HISTORY_SQL}) ORDER BY sku, location, moved_at, kind, document`,
    );
    const at = (sku: string, location: string) =>
      history
        .filter((m) => m.sku === sku && m.location === location)
        .map((m) => [m.moved_at, m.kind, m.document, m.source_system, m.delta, m.running]);
    // Stocky before the shutdown, Shopify after, one running total.
    expect(at('SKU-0001', 'C')).toEqual([
      ['2026-02-11T13:30', 'transfer_in', 'T-501', 'stocky', 120, 120],
      ['2026-09-12T14:00', 'transfer_in', truck.name, 'shopify', 98, 218],
      ['2026-09-22T08:00', 'transfer_out', swap.name, 'shopify', -5, 213],
    ]);
    expect(at('SKU-0003', 'C')).toEqual([
      ['2026-02-11T13:30', 'transfer_in', 'T-501', 'stocky', 40, 40],
      ['2026-03-05T20:40', 'adjustment', 'ADJ-1002', 'stocky', 12, 52],
      ['2026-09-12T14:00', 'transfer_in', truck.name, 'shopify', 30, 82],
    ]);
    // T-502 leaves the warehouse once and arrives once, although both systems hold it.
    expect(at('SKU-0002', 'W')).toEqual([['2026-08-28T19:00', 'transfer_out', t502.name, 'shopify', -60, -60]]);
    expect(at('SKU-0002', 'EM')).toEqual([['2026-09-03T09:00', 'transfer_in', t502.name, 'shopify', 60, 60]]);
    expect(
      await query(`SELECT count(*)::INT AS n FROM stock.transfers WHERE transfer_id = 'T-502' OR reference = 'T-502'`),
    ).toEqual([{ n: 2 }]);
    // Nothing twice; a canceled transfer and a draft move nothing.
    const seen = new Set(history.map((m) => `${m.sku}|${m.location}|${m.kind}|${m.document}`));
    expect(seen.size).toBe(history.length);
    expect(history.filter((m) => m.document === cancel.name || m.document === late.name)).toEqual([]);
    expect(history).toHaveLength(5 + 4 + 2 + 4 + 2); // adjustments; T-501, T-502, the truck, the swap out and in
  });
});
