import type { RowDataPacket } from 'mysql2/promise';
import { createLedgerReads } from '../activities/inventory/ledger-reads';
import { requestStockPush, wakeStockPusher } from '../activities/inventory/stock-signals';
import { createPool } from '../db/client';
import type { Config } from '../workers/config';
import { required, type Command } from './commands';

/** The ledger's and the PIM's pools for one command, closed after it. */
async function withLedger<T>(config: Config, fn: (x: ReturnType<typeof open>) => Promise<T>): Promise<T> {
  const x = open(config);
  try {
    return await fn(x);
  } finally {
    await Promise.all([x.inventory.end(), x.pim.end()]);
  }
}
const open = (config: Config) => {
  const inventory = createPool(config.databases.inventory, 2);
  const pim = createPool(config.databases.pim, 2);
  return { inventory, pim, reads: createLedgerReads({ inventory, pim }) };
};

/** Inventory commands: what the ledger holds for a SKU, and re-pushes of a SKU or a whole store to Shopify. */
export const INVENTORY_COMMANDS: Record<string, Command> = {
  stock: {
    summary:
      'stock <sku>              ledger per location (on hand, reserved per channel, safety, available), last movements',
    offline: true,
    async run({ config, args }) {
      const sku = required(args[0], 'sku');
      await withLedger(config, async ({ reads }) => {
        const levels = await reads.levelsOf([sku]);
        if (!levels.length) return console.log(`${sku}: no ledger stock`);
        const sync = await reads.syncVersion(sku);
        console.log(`${sku} · ledger v${sync.ledgerVersion} · pushed to Shopify v${sync.pushedVersion}`);
        console.table(
          levels.map((l) => ({
            location: l.location,
            on_hand: l.onHand,
            reserved: l.reserved,
            ...Object.fromEntries(Object.entries(l.reservedBy).map(([ch, n]) => [`reserved ${ch}`, n])),
            safety: l.safetyStock,
            available_to_sell: l.availableToSell,
            counted_at: l.countedAt ?? '',
          })),
        );
        console.log('last movements:');
        console.table(await reads.lastMovements(sku, 15));
      });
    },
  },
  'resync-stock': {
    summary: 'resync-stock <sku> | --store C   re-push a SKU (or every SKU the store holds) to Shopify',
    async run({ client, config, args, options }) {
      const store = typeof options.store === 'string' ? options.store : undefined;
      const skus = await withLedger(config, async ({ inventory }) => {
        const list = store
          ? (await inventory.query<RowDataPacket[]>('SELECT sku FROM stock_levels WHERE location = ?', [store]))[0].map(
              (r) => r.sku as string,
            )
          : [required(args[0], 'sku')];
        await requestStockPush(inventory, list);
        return list;
      });
      await wakeStockPusher(client, 'shopify');
      console.log(`${skus.length} SKU(s) queued for inventory-push/shopify${store ? ` (store ${store})` : ''}`);
    },
  },
};
