import {
  lightspeedPayments,
  lightspeedSaleLines,
  lightspeedSales,
  lightspeedTaxLines,
  salePageRows,
} from './lightspeed-tables';
import { definePageParser } from './page-parsers';
import { customerRows, inventoryLevelRows, orderRows, productRows } from './shopify-rows';

/**
 * How each source page is read, by name: extraction parses every page through these, and a page that fails goes
 * to a dead letter naming its parser, so `backbone lake replay` (or the ops console) runs the fixed parser on the
 * kept reply and writes every table the page feeds.
 */
type Rec = Record<string, unknown>;
const nodes = (page: unknown): Rec[] => {
  const list = (page as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(list)) throw new Error('not a page of nodes');
  return list as Rec[];
};

/** A Shopify connection page (`{ nodes, pageInfo }`) of orders, customers, products or inventory levels. */
export const SHOPIFY_PAGE_PARSERS = {
  orders: definePageParser('shopify/orders', (page) => orderRows(nodes(page))),
  customers: definePageParser('shopify/customers', (page) => customerRows(nodes(page))),
  products: definePageParser('shopify/products', (page) => productRows(nodes(page))),
  inventory_levels: definePageParser('shopify/inventory_levels', (page) => inventoryLevelRows(nodes(page))),
};

/** A Lightspeed `Sale.json?load_relations=["SaleLines","SalePayments"]` reply: sales, lines, payments, tax lines. */
export const LIGHTSPEED_SALES_PAGE = definePageParser('lightspeed/sales', (page) => {
  if (typeof page !== 'object' || page === null || Array.isArray(page)) throw new Error('not a JSON object');
  const rows = salePageRows(page as Rec);
  return [
    { table: lightspeedSales, rows: rows.sales },
    { table: lightspeedSaleLines, rows: rows.lines },
    { table: lightspeedPayments, rows: rows.payments },
    { table: lightspeedTaxLines, rows: rows.taxLines },
  ];
});
