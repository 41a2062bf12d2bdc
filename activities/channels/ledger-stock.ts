import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { LedgerReads } from '../inventory/ledger-reads';
import type { StockSource } from './sync';

/**
 * available_to_sell per SKU from the stock ledger: the sum over its locations of the ledger's own figure
 * (on_hand − reserved − safety stock, never below 0), and the SKU's ledger change counter (`sku_sync`).
 */
export function ledgerStock(inventory: Pool, reads: LedgerReads): StockSource {
  return {
    async availableToSell(skus) {
      const out = new Map<string, { available: number; version: number; byLocation: Record<string, number> }>();
      if (!skus.length) return out;
      const [versions] = await inventory.query<RowDataPacket[]>(
        'SELECT sku, ledger_version FROM sku_sync WHERE sku IN (?)',
        [skus],
      );
      const version = new Map(versions.map((v) => [v.sku as string, Number(v.ledger_version)]));
      for (const sku of skus) out.set(sku, { available: 0, version: version.get(sku) ?? 0, byLocation: {} });
      for (const level of await reads.levelsOf(skus)) {
        const s = out.get(level.sku);
        if (!s) continue;
        s.available += level.availableToSell;
        s.byLocation[level.location] = level.availableToSell;
      }
      return out;
    },

    async amazonReservedSince(items) {
      const out = new Map<string, number>();
      if (!items.length) return out;
      const from = new Date(Math.min(...items.map((i) => i.since.getTime())));
      const since = new Map(items.map((i) => [i.sku, i.since.getTime()]));
      const [rows] = await inventory.query<RowDataPacket[]>(
        "SELECT sku, quantity, occurred_at FROM movements WHERE channel = 'amazon' AND kind = 'reserve' AND sku IN (?) AND occurred_at >= ?",
        [[...since.keys()], from],
      );
      for (const r of rows)
        if ((r.occurred_at as Date).getTime() >= since.get(r.sku)!)
          out.set(r.sku, (out.get(r.sku) ?? 0) + Number(r.quantity));
      return out;
    },
  };
}
