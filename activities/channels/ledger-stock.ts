import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { StockSource } from './sync';

/**
 * available_to_sell per SKU over every ledger location (each level's on_hand − reserved, never below 0), and
 * the SKU's ledger change counter, read from the inventory database.
 */
export function ledgerStock(inventory: Pool): StockSource {
  return {
    async availableToSell(skus) {
      const out = new Map<string, { available: number; version: number }>();
      if (!skus.length) return out;
      const [levels] = await inventory.query<RowDataPacket[]>(
        'SELECT sku, SUM(GREATEST(on_hand - reserved, 0)) AS ats FROM stock_levels WHERE sku IN (?) GROUP BY sku',
        [skus],
      );
      const [versions] = await inventory.query<RowDataPacket[]>(
        'SELECT sku, ledger_version FROM sku_sync WHERE sku IN (?)',
        [skus],
      );
      const version = new Map(versions.map((v) => [v.sku as string, Number(v.ledger_version)]));
      for (const sku of skus) out.set(sku, { available: 0, version: version.get(sku) ?? 0 });
      for (const l of levels) out.set(l.sku, { available: Number(l.ats), version: version.get(l.sku) ?? 0 });
      return out;
    },
  };
}
