import { runSummary, type RunSummary } from '../platform/run-summary';
import type { LakeTableDef } from './lake-tables';
import { customerRows, inventoryLevelRows, lineItemRow, orderRows, productRows, variantRow } from './shopify-rows';
import { INVENTORY_QUANTITY_NAMES, SHOPIFY_LINE_ITEMS, SHOPIFY_VARIANTS } from './shopify-tables';

/**
 * The historical backfill of Shopify → lake (pure part): which bulk queries, over which chunks, and how their JSONL
 * lines become rows of the same tables the incremental extraction fills (shopify-rows.ts).
 *
 * A bulk query may hold at most five connections, nested at most two deep (Shopify's bulkOperationRunQuery: "The
 * query must include at least one connection field and supports up to five connections with a maximum nesting depth
 * of two levels"), and a connection inside a list field is refused (so `Order.refunds[].refundLineItems` cannot be
 * bulk-read). The entity graph is therefore split into one bulk query per root: orders + line items, customers,
 * products + variants, locations + inventory levels; each child line is joined to its parent by `__parentId` when
 * its rows are written, and refund lines are read per refunded order (activities/extraction/shopify-backfill.ts).
 */
export const BACKFILL_ENTITIES = ['orders', 'customers', 'products', 'inventory_levels'] as const;
export type BackfillEntity = (typeof BACKFILL_ENTITIES)[number];

/** Backfill runs below the incremental extraction (4) and the real-time lane (3): Temporal dispatches 1 first. */
export const BACKFILL_PRIORITY = { priorityKey: 5 } as const;

export const shopifyBackfillRun = (input: { from: string; to?: string; entities?: readonly string[] }): RunSummary =>
  runSummary([
    `Shopify backfill ${input.from.slice(0, 10)} … ${input.to?.slice(0, 10) ?? 'now'}`,
    `${(input.entities ?? BACKFILL_ENTITIES).join(', ')} → lake by bulk queries`,
  ]);

const MONEY = 'shopMoney { amount currencyCode }';
const created = (from: string, to: string) => JSON.stringify(`created_at:>='${from}' AND created_at:<'${to}'`);

/** Orders created in [from, to) with their line items (2 connections); tax lines and refunds are lists, inline. */
export function ordersBackfillQuery(from: string, to: string): string {
  return `{
  orders(query: ${created(from, to)}, sortKey: CREATED_AT) {
    edges { node {
      id name createdAt updatedAt processedAt cancelledAt currencyCode displayFinancialStatus displayFulfillmentStatus
      subtotalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
      totalDiscountsSet { ${MONEY} } totalPriceSet { ${MONEY} } totalRefundedSet { ${MONEY} }
      customer { id }
      taxLines { title rate priceSet { ${MONEY} } }
      refunds { id createdAt totalRefundedSet { ${MONEY} } }
      lineItems { edges { node { id sku title quantity originalUnitPriceSet { ${MONEY} } totalDiscountSet { ${MONEY} } } } }
    } }
  }
}`;
}

/** Customers created in [from, to): ids, dates and counts only, as the incremental extraction keeps them. */
export function customersBackfillQuery(from: string, to: string): string {
  return `{
  customers(query: ${created(from, to)}, sortKey: CREATED_AT) {
    edges { node { id createdAt updatedAt numberOfOrders } }
  }
}`;
}

/** Products created in [from, to) with every variant (2 connections). */
export function productsBackfillQuery(from: string, to: string): string {
  return `{
  products(query: ${created(from, to)}, sortKey: CREATED_AT) {
    edges { node {
      id handle title vendor productType status createdAt updatedAt
      variants { edges { node { id sku barcode price compareAtPrice title inventoryItem { id } } } }
    } }
  }
}`;
}

/** Every location with every inventory level (2 connections); levels are not windowed (stock has no history). */
export const INVENTORY_LEVELS_BACKFILL_QUERY = `{
  locations(includeInactive: true) {
    edges { node {
      id
      inventoryLevels {
        edges { node {
          id createdAt updatedAt item { id }
          quantities(names: [${INVENTORY_QUANTITY_NAMES.map((n) => JSON.stringify(n)).join(', ')}]) { name quantity }
        } }
      }
    } }
  }
}`;

export const WINDOWED: Record<BackfillEntity, boolean> = {
  orders: true,
  customers: true,
  products: true,
  inventory_levels: false,
};

export function backfillQuery(entity: BackfillEntity, from: string, to: string): string {
  switch (entity) {
    case 'orders':
      return ordersBackfillQuery(from, to);
    case 'customers':
      return customersBackfillQuery(from, to);
    case 'products':
      return productsBackfillQuery(from, to);
    case 'inventory_levels':
      return INVENTORY_LEVELS_BACKFILL_QUERY;
  }
}

/** [from, to) cut into windows of `days` (the last one shorter); one bulk operation each. */
export function backfillChunks(from: string, to: string, days: number): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  const step = Math.max(1, days) * 86_400_000;
  const end = Date.parse(to);
  for (let t = Date.parse(from); t < end; t += step)
    out.push({ from: new Date(t).toISOString(), to: new Date(Math.min(t + step, end)).toISOString() });
  return out;
}

type Line = Record<string, unknown> & { id?: string; __parentId?: string };
type Rows = { table: LakeTableDef; rows: Record<string, unknown>[] }[];

/**
 * Turns a bulk JSONL stream into lake rows, line by line. Roots become their rows at once; a child is joined to its
 * parent by `__parentId` (the parent's id, createdAt and updatedAt are kept, nothing more), and a child read before
 * its parent (Shopify does not group lines unless asked to) waits until the parent arrives. Deterministic: replaying
 * the lines before a checkpoint with `write = false` rebuilds exactly the state the checkpoint was taken in.
 */
export class BulkRowJoiner {
  private parents = new Map<string, Line>();
  private orphans = new Map<string, Line[]>();
  /** Roots whose refunds need their lines read (orders only). */
  readonly refunded: string[] = [];

  constructor(readonly entity: BackfillEntity) {}

  /** The rows this line completes (empty while replaying, or while a child waits for its parent). */
  push(line: Line, write = true): Rows {
    if (!line.__parentId) {
      const { id, createdAt, updatedAt } = line;
      this.parents.set(String(id), { id, createdAt, updatedAt });
      const waiting = this.orphans.get(String(id)) ?? [];
      this.orphans.delete(String(id));
      if (!write) return [];
      if (this.entity === 'orders' && Array.isArray(line.refunds) && line.refunds.length)
        this.refunded.push(String(id));
      return merge(this.rootRows(line), waiting.length ? this.childRows(line, waiting) : []);
    }
    const parent = this.parents.get(line.__parentId);
    if (!parent) {
      const list = this.orphans.get(line.__parentId) ?? [];
      list.push(line);
      this.orphans.set(line.__parentId, list);
      return [];
    }
    return write ? this.childRows(parent, [line]) : [];
  }

  /** What is kept of a root read so far (id, createdAt, updatedAt). */
  parent(id: string): Line | undefined {
    return this.parents.get(id);
  }

  /** Children whose parent never came (a truncated file): reported, not written. */
  get unmatched(): number {
    let n = 0;
    for (const l of this.orphans.values()) n += l.length;
    return n;
  }

  private rootRows(line: Line): Rows {
    switch (this.entity) {
      case 'orders':
        // Line items arrive as their own lines; refunds without lines until the refund read completes them.
        return orderRows([{ ...line, lineItems: { nodes: [] } }]);
      case 'customers':
        return customerRows([line]);
      case 'products':
        return productRows([{ ...line, variants: { nodes: [] } }]);
      case 'inventory_levels':
        return []; // a location line: its levels carry its id
    }
  }

  private childRows(parent: Line, children: Line[]): Rows {
    switch (this.entity) {
      case 'orders':
        return [{ table: SHOPIFY_LINE_ITEMS, rows: children.map((c) => lineItemRow(parent, c)) }];
      case 'products':
        return [{ table: SHOPIFY_VARIANTS, rows: children.map((c) => variantRow(parent, c)) }];
      case 'inventory_levels':
        return inventoryLevelRows(children, String(parent.id));
      case 'customers':
        return [];
    }
  }
}

/** Appends rows table by table (same table, one entry). */
export function merge(...sets: Rows[]): Rows {
  const byTable = new Map<LakeTableDef, Record<string, unknown>[]>();
  for (const set of sets)
    for (const { table, rows } of set) {
      if (!rows.length) continue;
      const list = byTable.get(table) ?? [];
      list.push(...rows);
      byTable.set(table, list);
    }
  return [...byTable].map(([table, rows]) => ({ table, rows }));
}
