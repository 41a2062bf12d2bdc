import type { Pool, RowDataPacket } from 'mysql2/promise';
import { availableToSell } from '../../domain/inventory/ledger';

/** One SKU × location as the ledger holds it, with its safety stock and what may be sold. */
export interface LedgerLevel {
  sku: string;
  location: string;
  onHand: number;
  reserved: number;
  /** Open reservations per channel (`shopify`, `amazon`, …) at this location. */
  reservedBy: Record<string, number>;
  safetyStock: number;
  availableToSell: number;
  countedAt: string | null;
  lastMovementAt: string;
  version: number;
}

/**
 * The ledger's read API: levels of SKUs per location (`available_to_sell` = max(0, on_hand − reserved − safety)),
 * safety stock per SKU (a SKU rule wins over its PIM sub-department's), and a SKU's change counter.
 */
export function createLedgerReads(deps: { inventory: Pool; pim: Pool }) {
  async function safetyStockOf(skus: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!skus.length) return out;
    const [rules] = await deps.inventory.query<RowDataPacket[]>('SELECT scope, scope_key, quantity FROM safety_stock');
    if (!rules.length) return out;
    const bySku = new Map(
      rules.filter((r) => r.scope === 'sku').map((r) => [r.scope_key as string, r.quantity as number]),
    );
    const byDept = new Map(
      rules.filter((r) => r.scope === 'sub_department').map((r) => [r.scope_key as string, r.quantity as number]),
    );
    const depts = new Map<string, string | null>();
    if (byDept.size) {
      const [rows] = await deps.pim.query<RowDataPacket[]>(
        'SELECT v.sku, p.sub_department_code AS dept FROM variants v JOIN products p ON p.id = v.product_id WHERE v.sku IN (?)',
        [skus],
      );
      for (const r of rows) depts.set(r.sku, r.dept);
    }
    for (const sku of skus) {
      const dept = depts.get(sku);
      const q = bySku.get(sku) ?? (dept ? byDept.get(dept) : undefined);
      if (q !== undefined) out.set(sku, q);
    }
    return out;
  }

  return {
    safetyStockOf,

    /** Every location with a level for these SKUs. */
    async levelsOf(skus: string[]): Promise<LedgerLevel[]> {
      if (!skus.length) return [];
      const [rows] = await deps.inventory.query<RowDataPacket[]>(
        'SELECT * FROM stock_levels WHERE sku IN (?) ORDER BY sku, location',
        [skus],
      );
      const [open] = await deps.inventory.query<RowDataPacket[]>(
        'SELECT sku, location, channel, SUM(open) AS n FROM reservations WHERE sku IN (?) AND open > 0 GROUP BY sku, location, channel',
        [skus],
      );
      const safety = await safetyStockOf(skus);
      return rows.map((r) => {
        const reservedBy = Object.fromEntries(
          open.filter((o) => o.sku === r.sku && o.location === r.location).map((o) => [o.channel, Number(o.n)]),
        );
        const safetyStock = safety.get(r.sku) ?? 0;
        return {
          sku: r.sku,
          location: r.location,
          onHand: r.on_hand,
          reserved: r.reserved,
          reservedBy,
          safetyStock,
          availableToSell: availableToSell({ onHand: r.on_hand, reserved: r.reserved }, safetyStock),
          countedAt: r.counted_at ? (r.counted_at as Date).toISOString() : null,
          lastMovementAt: (r.last_movement_at as Date).toISOString(),
          version: r.version,
        };
      });
    },

    /** The SKU's change counter (bumped by every batch that changed it) and the last one pushed. */
    async syncVersion(sku: string): Promise<{ ledgerVersion: number; pushedVersion: number }> {
      const [[row]] = (await deps.inventory.query('SELECT * FROM sku_sync WHERE sku = ?', [sku])) as unknown as [
        RowDataPacket[],
      ];
      return { ledgerVersion: Number(row?.ledger_version ?? 0), pushedVersion: Number(row?.pushed_version ?? 0) };
    },

    /** Newest movements of a SKU (all locations), newest first. */
    async lastMovements(sku: string, limit = 20) {
      const [rows] = await deps.inventory.query<RowDataPacket[]>(
        'SELECT movement_key, kind, location, quantity, on_hand_delta, occurred_at, channel, order_id FROM movements WHERE sku = ? ORDER BY id DESC LIMIT ?',
        [sku, limit],
      );
      return rows.map((r) => ({
        key: r.movement_key as string,
        kind: r.kind as string,
        location: r.location as string,
        quantity: r.quantity as number,
        onHandDelta: r.on_hand_delta as number,
        occurredAt: (r.occurred_at as Date).toISOString(),
        channel: r.channel as string | null,
        orderId: r.order_id as string | null,
      }));
    },
  };
}

export type LedgerReads = ReturnType<typeof createLedgerReads>;
