import { MockActivityEnvironment } from '@temporalio/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerStock } from '../../../activities/channels/ledger-stock';
import { listingsStore } from '../../../activities/channels/listings-store';
import { saveRules } from '../../../activities/channels/rules-store';
import { createChannelSyncActivities, type SendResult } from '../../../activities/channels/sync';
import { channelsDb, createPool } from '../../../db/client';
import { startAmazonSandbox, type AmazonSandbox } from '../../../sandbox/amazon';
import { parseVendorWarehouses } from '../../../workers/amazon-config';
import { ledgerFixture, type LedgerFixture } from '../../support/inventory/ledger-fixture';
import { amazonClientFor } from '../../support/amazon-sandbox';

// #13: Vendor Central stock goes to every configured warehouse, each with what its own locations hold, and each
// warehouse's transaction is followed to its status.
describe('Vendor Central: every warehouse of AMAZON_VENDOR_WAREHOUSES', () => {
  let f: LedgerFixture;
  let pool: ReturnType<typeof createPool>;
  let amazon: AmazonSandbox;
  let sku: string;
  const env = new MockActivityEnvironment({ taskQueue: 'amazon' });

  beforeAll(async () => {
    f = await ledgerFixture({ products: 10 });
    pool = createPool(f.urls.channels);
    amazon = await startAmazonSandbox({ warehouses: ['EM', 'C'], transactionMs: 50 });
    sku = f.skus[1]!;
    await saveRules(channelsDb(pool), { channels: { 'amazon-vendor': { percent: 100 } } }, 'test');
    await listingsStore(pool).enroll('amazon-vendor', [sku], null);
  });
  afterAll(async () => {
    await amazon?.close();
    await pool?.end();
    await f?.close();
  });

  const count = (n: number, location: string, quantity: number) =>
    f.ledger.applyMovements(
      [{ key: `test/count/${n}`, kind: 'count', sku, location, quantity, occurredAt: new Date().toISOString() }],
      { source: 'test' },
    );
  const atWarehouse = (w: string) => amazon.state.vendorInventory.get(w)?.get(sku);

  it('each warehouse gets its locations’ stock; a move between them re-sends; a failed transaction is retried', async () => {
    const sync = createChannelSyncActivities({
      channels: pool,
      stock: ledgerStock(f.pools.inventory, f.reads),
      retryBaseMs: 100,
      amazon: amazonClientFor(amazon),
      vendor: { partyId: amazon.config.vendorPartyId, warehouses: parseVendorWarehouses('EM=EMERALD,C', []) },
    });
    const round = async () => {
      await env.run(sync.releaseDueRetries, 'amazon-vendor' as const);
      await env.run(sync.planChannel, { channel: 'amazon-vendor' as const, skus: [sku] });
      const sent = (await env.run(sync.sendPending, { channel: 'amazon-vendor' as const })) as SendResult;
      const results = [];
      for (const s of sent.follow)
        results.push(
          (await env.run(sync.followSubmission, { channel: 'amazon-vendor' as const, ...s })) as { status: string },
        );
      return { sent, results };
    };

    // 8 at Emerald (warehouse EM), 5 at Carlton (warehouse C), 4 at Sunset (no warehouse ships from there).
    await count(1, 'EMERALD', 8);
    await count(2, 'C', 5);
    await count(3, 'SUNSET', 4);
    const first = await round();
    expect(first.results.map((r) => r.status)).toEqual(['Success']);
    expect({ EM: atWarehouse('EM'), C: atWarehouse('C') }).toEqual({ EM: 8, C: 5 });
    // One transaction per warehouse, each followed to its final status.
    const txs = [...amazon.state.transactions.values()];
    expect(txs.map((t) => [t.warehouseId, t.status]).sort()).toEqual([
      ['C', 'Success'],
      ['EM', 'Success'],
    ]);
    const [[row]] = await pool.query<RowDataPacket[]>(
      "SELECT allocated, status FROM channel_listings WHERE channel = 'amazon-vendor' AND sku = ?",
      [sku],
    );
    expect(row).toMatchObject({ allocated: 13, status: 'accepted' });

    // Stock moves from Emerald to Carlton: the total is the same, the warehouses' shares are not.
    await count(4, 'EMERALD', 5);
    await count(5, 'C', 8);
    amazon.setFaults({ failNextTransactions: 1 });
    const failed = await round();
    expect(failed.results.map((r) => r.status)).toEqual(['Failure']);
    const [[err]] = await pool.query<RowDataPacket[]>(
      "SELECT code, message FROM channel_sync_errors WHERE channel = 'amazon-vendor' AND sku = ? AND resolved_at IS NULL",
      [sku],
    );
    expect(err).toMatchObject({ code: 'VDF_TRANSACTION_FAILURE' });
    expect(err!.message).toMatch(/InternalFailure/);
    await new Promise((r) => setTimeout(r, 300)); // past the retry backoff
    const retried = await round();
    expect(retried.results.map((r) => r.status)).toEqual(['Success']);
    expect({ EM: atWarehouse('EM'), C: atWarehouse('C') }).toEqual({ EM: 5, C: 8 });
  });
});
