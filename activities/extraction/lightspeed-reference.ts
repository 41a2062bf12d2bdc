import type mysql from 'mysql2/promise';
import { LightspeedClient } from '../../connectors/lightspeed';
import type { LakeTableDef } from '../../domain/extraction/lake-tables';
import { mapRecord } from '../../domain/extraction/lightspeed-records';
import {
  ITEM_IGNORED,
  ITEM_MAP,
  ITEM_SHOP_IGNORED,
  ITEM_SHOP_MAP,
  itemPrice,
  lightspeedInventory,
  lightspeedItems,
  lightspeedRegisters,
  lightspeedShops,
  REGISTER_IGNORED,
  REGISTER_MAP,
  SHOP_IGNORED,
  SHOP_MAP,
} from '../../domain/extraction/lightspeed-tables';
import { writeLakeTable, type Lake } from '../../lake/lake-writer';
import { lightspeedFailure } from './lightspeed-sales';

/** How far a changed-since window reaches back before the cursor: a change committed late still falls inside. */
export const CURSOR_OVERLAP_MS = 5 * 60_000;

/**
 * Reference data and cursors: shops, registers, items (changed since the last run), stock per item and shop (a daily
 * snapshot), and the incremental window per shop.
 */
export function createLightspeedReferenceActivities(d: {
  client: () => Promise<LightspeedClient>;
  accountId: () => string;
  lake: Lake;
  pool: mysql.Pool;
}) {
  const all = async (resource: string, params: Record<string, string> = {}) => {
    const client = await d.client();
    const out: Record<string, unknown>[] = [];
    for await (const page of client.pages(resource, params)) out.push(...LightspeedClient.records(page, resource));
    return out;
  };
  const write = (table: LakeTableDef, rows: Record<string, unknown>[]) =>
    rows.length ? writeLakeTable(d.lake, { ...table, rows }) : Promise.resolve(undefined);
  const cursor = async (shopId: number, entity: string): Promise<Date | undefined> => {
    const [rows] = await d.pool.query<mysql.RowDataPacket[]>(
      'SELECT cursor_time FROM lightspeed_cursors WHERE account_id = ? AND shop_id = ? AND entity = ?',
      [d.accountId(), shopId, entity],
    );
    return rows[0]?.cursor_time as Date | undefined;
  };
  const saveCursor = (shopId: number, entity: string, at: string) =>
    d.pool.query(
      `INSERT INTO lightspeed_cursors (account_id, shop_id, entity, cursor_time) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE cursor_time = GREATEST(cursor_time, VALUES(cursor_time))`,
      [d.accountId(), shopId, entity, new Date(at)],
    );

  return {
    async lightspeedShopIds(): Promise<number[]> {
      try {
        return (await all('Shop')).filter((s) => s.archived !== 'true').map((s) => Number(s.shopID));
      } catch (e) {
        throw lightspeedFailure(e);
      }
    },

    async lightspeedExtractReference(input: { day: string }): Promise<Record<string, number>> {
      try {
        const snap = { snapshot_date: input.day };
        const shops = (await all('Shop')).map((r) => mapRecord(r, SHOP_MAP, SHOP_IGNORED, snap));
        const registers = (await all('Register')).map((r) => mapRecord(r, REGISTER_MAP, REGISTER_IGNORED, snap));
        const since = await cursor(0, 'items');
        const started = new Date().toISOString();
        const itemParams: Record<string, string> = since
          ? { timeStamp: `>,${new Date(since.getTime() - CURSOR_OVERLAP_MS).toISOString()}` }
          : {};
        const items = (await all('Item', itemParams)).map((r) =>
          mapRecord(r, ITEM_MAP, ITEM_IGNORED, { price: itemPrice(r) }),
        );
        const stock = (await all('ItemShop')).map((r) => mapRecord(r, ITEM_SHOP_MAP, ITEM_SHOP_IGNORED, snap));
        await Promise.all([
          write(lightspeedShops, shops),
          write(lightspeedRegisters, registers),
          write(lightspeedItems, items),
          write(lightspeedInventory, stock),
        ]);
        await saveCursor(0, 'items', started);
        return { shops: shops.length, registers: registers.length, items: items.length, inventory: stock.length };
      } catch (e) {
        throw lightspeedFailure(e);
      }
    },

    /** The next changed-since window of a shop's sales: from its cursor (less the overlap) to now. */
    async lightspeedSalesWindow(input: {
      shopId: number;
      firstSince: string;
    }): Promise<{ since: string; until: string }> {
      const at = await cursor(input.shopId, 'sales');
      const since = at ? new Date(at.getTime() - CURSOR_OVERLAP_MS).toISOString() : input.firstSince;
      return { since, until: new Date().toISOString() };
    },

    /** Moves the cursor, only ever forward, after the window's rows are in the lake. */
    async lightspeedSaveSalesCursor(input: { shopId: number; until: string }): Promise<void> {
      await saveCursor(input.shopId, 'sales', input.until);
    },
  };
}
