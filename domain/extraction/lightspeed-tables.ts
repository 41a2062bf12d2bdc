import { defineLakeTable } from './lake-tables';
import type { LakeColumn, LakeType } from './lake-schema';
import { asList, mapRecord } from './lightspeed-records';

// The Lightspeed Retail (R-Series) tables of the lake (lake/lightspeed/<entity>/dt=…). Sales and their lines,
// payments and tax lines are partitioned by the sale's completeTime (it never changes for a sale), deduplicated by
// their ids with the sale's timeStamp (last change) winning; reference data is a daily snapshot keyed by its day.

type Rec = Record<string, unknown>;
const col = (name: string, type: LakeType, required = false): LakeColumn => ({ name, type, required });
const money = (name: string) => col(name, 'DECIMAL(18,2)');

const SALE_MAP = {
  sale_id: 'saleID',
  shop_id: 'shopID',
  register_id: 'registerID',
  employee_id: 'employeeID',
  customer_id: 'customerID',
  completed_at: 'completeTime',
  created_at: 'createTime',
  updated_at: 'timeStamp',
  completed: 'completed',
  voided: 'voided',
  archived: 'archived',
  ticket_number: 'ticketNumber',
  subtotal: 'calcSubtotal',
  discount: 'calcDiscount',
  tax1: 'calcTax1',
  tax2: 'calcTax2',
  total: 'calcTotal',
  payments_total: 'calcPayments',
  balance: 'balance',
  tax_category_id: 'taxCategoryID',
};
// Fields we know and leave out (derived or duplicated); anything else new is kept in _extra and reported.
const SALE_IGNORED = new Set(
  'discountPercent enablePromotions isTaxInclusive updateTime referenceNumber referenceNumberSource tax1Rate tax2Rate change receiptPreference displayableSubtotal calcTaxable calcNonTaxable calcAvgCost calcFIFOCost total totalDue displayableTotal discountID quoteID shipToID tipEmployeeID'.split(
    ' ',
  ),
);
const LINE_MAP = {
  sale_line_id: 'saleLineID',
  sale_id: 'saleID',
  shop_id: 'shopID',
  item_id: 'itemID',
  employee_id: 'employeeID',
  created_at: 'createTime',
  quantity: 'unitQuantity',
  unit_price: 'unitPrice',
  normal_unit_price: 'normalUnitPrice',
  discount: 'calcLineDiscount',
  subtotal: 'calcSubtotal',
  tax1: 'calcTax1',
  tax2: 'calcTax2',
  total: 'calcTotal',
  avg_cost: 'avgCost',
  fifo_cost: 'fifoCost',
  taxable: 'tax',
  tax_class_id: 'taxClassID',
  parent_sale_line_id: 'parentSaleLineID',
};
const LINE_IGNORED = new Set(
  'timeStamp discountAmount discountPercent tax1Rate tax2Rate isLayaway isWorkorder isSpecialOrder displayableSubtotal displayableUnitPrice calcTransactionDiscount customerID discountID noteID taxCategoryID'.split(
    ' ',
  ),
);
const PAYMENT_MAP = {
  sale_payment_id: 'salePaymentID',
  sale_id: 'saleID',
  payment_type_id: 'paymentTypeID',
  amount: 'amount',
  created_at: 'createTime',
  register_id: 'registerID',
  employee_id: 'employeeID',
  archived: 'archived',
};
const PAYMENT_IGNORED = new Set('remoteReference paymentID ccChargeID refPaymentID creditAccountID'.split(' '));

const saleTimes = [
  col('completed_at', 'TIMESTAMP', true),
  col('updated_at', 'TIMESTAMP', true),
  col('voided', 'BOOLEAN'),
];

export const lightspeedSales = defineLakeTable({
  source: 'lightspeed',
  entity: 'sales',
  columns: [
    col('sale_id', 'BIGINT', true),
    col('shop_id', 'INTEGER', true),
    col('register_id', 'INTEGER'),
    col('employee_id', 'INTEGER'),
    col('customer_id', 'BIGINT'),
    col('completed_at', 'TIMESTAMP', true),
    col('created_at', 'TIMESTAMP'),
    col('updated_at', 'TIMESTAMP', true),
    col('completed', 'BOOLEAN'),
    col('voided', 'BOOLEAN'),
    col('archived', 'BOOLEAN'),
    col('ticket_number', 'VARCHAR'),
    ...['subtotal', 'discount', 'tax1', 'tax2', 'total', 'payments_total', 'balance'].map(money),
    col('tax_category_id', 'INTEGER'),
    col('line_count', 'INTEGER'),
  ],
  naturalKey: ['sale_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'completed_at' },
  parsePage: (body: string) => salePageRows(JSON.parse(body) as Rec).sales,
});

export const lightspeedSaleLines = defineLakeTable({
  source: 'lightspeed',
  entity: 'sale_lines',
  columns: [
    col('sale_line_id', 'BIGINT', true),
    col('sale_id', 'BIGINT', true),
    col('shop_id', 'INTEGER', true),
    col('item_id', 'BIGINT'),
    col('employee_id', 'INTEGER'),
    col('created_at', 'TIMESTAMP'),
    ...saleTimes,
    col('quantity', 'DOUBLE'),
    ...[
      'unit_price',
      'normal_unit_price',
      'discount',
      'subtotal',
      'tax1',
      'tax2',
      'total',
      'avg_cost',
      'fifo_cost',
    ].map(money),
    col('taxable', 'BOOLEAN'),
    col('tax_class_id', 'INTEGER'),
    col('parent_sale_line_id', 'BIGINT'),
  ],
  naturalKey: ['sale_line_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'completed_at' },
  parsePage: (body: string) => salePageRows(JSON.parse(body) as Rec).lines,
});

export const lightspeedPayments = defineLakeTable({
  source: 'lightspeed',
  entity: 'payments',
  columns: [
    col('sale_payment_id', 'BIGINT', true),
    col('sale_id', 'BIGINT', true),
    col('shop_id', 'INTEGER', true),
    col('payment_type_id', 'INTEGER', true),
    col('payment_type', 'VARCHAR'),
    money('amount'),
    col('created_at', 'TIMESTAMP'),
    ...saleTimes,
    col('register_id', 'INTEGER'),
    col('employee_id', 'INTEGER'),
    col('archived', 'BOOLEAN'),
  ],
  naturalKey: ['sale_payment_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'completed_at' },
  parsePage: (body: string) => salePageRows(JSON.parse(body) as Rec).payments,
});

export const lightspeedTaxLines = defineLakeTable({
  source: 'lightspeed',
  entity: 'tax_lines',
  columns: [
    col('sale_line_id', 'BIGINT', true),
    col('tax', 'VARCHAR', true),
    col('sale_id', 'BIGINT', true),
    col('shop_id', 'INTEGER', true),
    col('tax_class_id', 'INTEGER'),
    col('tax_category_id', 'INTEGER'),
    col('rate', 'DOUBLE'),
    money('taxable'),
    money('amount'),
    ...saleTimes,
  ],
  naturalKey: ['sale_line_id', 'tax'],
  updatedAtField: 'updated_at',
  dt: { column: 'completed_at' },
  parsePage: (body: string) => salePageRows(JSON.parse(body) as Rec).taxLines,
});

export interface SalePageRows {
  sales: Rec[];
  lines: Rec[];
  payments: Rec[];
  taxLines: Rec[];
}

/**
 * The rows of one `Sale.json?load_relations=["SaleLines","SalePayments"]` page: a line, payment and tax line carry
 * their sale's completeTime (their partition), timeStamp (their version) and voided flag.
 */
export function salePageRows(body: Rec): SalePageRows {
  const out: SalePageRows = { sales: [], lines: [], payments: [], taxLines: [] };
  for (const sale of asList<Rec>(body.Sale)) {
    const lines = asList<Rec>((sale.SaleLines as Rec | undefined)?.SaleLine);
    const inherited = { completed_at: sale.completeTime, updated_at: sale.timeStamp, voided: sale.voided };
    out.sales.push(mapRecord(sale, SALE_MAP, SALE_IGNORED, { line_count: lines.length }));
    for (const l of lines) {
      out.lines.push(mapRecord(l, LINE_MAP, LINE_IGNORED, { ...inherited, sale_id: l.saleID ?? sale.saleID }));
      for (const tax of ['tax1', 'tax2'] as const) {
        const rate = Number(l[`${tax}Rate`]);
        if (l.tax !== 'true' || !(rate > 0)) continue;
        out.taxLines.push({
          sale_line_id: l.saleLineID,
          tax,
          sale_id: sale.saleID,
          shop_id: sale.shopID,
          tax_class_id: l.taxClassID,
          tax_category_id: l.taxCategoryID,
          rate: l[`${tax}Rate`],
          taxable: l.calcSubtotal,
          amount: l[tax === 'tax1' ? 'calcTax1' : 'calcTax2'],
          ...inherited,
        });
      }
    }
    for (const p of asList<Rec>((sale.SalePayments as Rec | undefined)?.SalePayment))
      out.payments.push(
        mapRecord(p, PAYMENT_MAP, PAYMENT_IGNORED, {
          ...inherited,
          shop_id: sale.shopID,
          payment_type: (p.PaymentType as Rec | undefined)?.name,
        }),
      );
  }
  return out;
}

const snapshot = [col('snapshot_date', 'DATE', true)];

export const lightspeedShops = defineLakeTable({
  source: 'lightspeed',
  entity: 'shops',
  columns: [
    ...snapshot,
    col('shop_id', 'INTEGER', true),
    col('name', 'VARCHAR'),
    col('time_zone', 'VARCHAR'),
    col('tax_category_id', 'INTEGER'),
    col('archived', 'BOOLEAN'),
    col('updated_at', 'TIMESTAMP', true),
  ],
  naturalKey: ['shop_id', 'snapshot_date'],
  updatedAtField: 'updated_at',
  dt: { column: 'snapshot_date' },
});
export const SHOP_MAP = {
  shop_id: 'shopID',
  name: 'name',
  time_zone: 'timeZone',
  tax_category_id: 'taxCategoryID',
  archived: 'archived',
  updated_at: 'timeStamp',
};
export const SHOP_IGNORED = new Set(
  'serviceRate taxLabor labelTitle labelMsrp companyRegistrationNumber vatNumber zebraBrowserPrint contactID receiptSetupID ccGatewayID gatewayConfigID priceLevelID'.split(
    ' ',
  ),
);

export const lightspeedRegisters = defineLakeTable({
  source: 'lightspeed',
  entity: 'registers',
  columns: [
    ...snapshot,
    col('register_id', 'INTEGER', true),
    col('shop_id', 'INTEGER', true),
    col('name', 'VARCHAR'),
    col('archived', 'BOOLEAN'),
    col('updated_at', 'TIMESTAMP', true),
  ],
  naturalKey: ['register_id', 'snapshot_date'],
  updatedAtField: 'updated_at',
  dt: { column: 'snapshot_date' },
});
export const REGISTER_MAP = {
  register_id: 'registerID',
  shop_id: 'shopID',
  name: 'name',
  archived: 'archived',
  updated_at: 'timeStamp',
};
export const REGISTER_IGNORED = new Set('open openTime openEmployeeID cashDrawer registerGroupID'.split(' '));

export const lightspeedItems = defineLakeTable({
  source: 'lightspeed',
  entity: 'items',
  columns: [
    col('item_id', 'BIGINT', true),
    col('system_sku', 'VARCHAR'),
    col('custom_sku', 'VARCHAR'),
    col('description', 'VARCHAR'),
    col('tax_class_id', 'INTEGER'),
    money('default_cost'),
    money('avg_cost'),
    money('price'),
    col('taxable', 'BOOLEAN'),
    col('archived', 'BOOLEAN'),
    col('created_at', 'TIMESTAMP', true),
    col('updated_at', 'TIMESTAMP', true),
  ],
  naturalKey: ['item_id'],
  updatedAtField: 'updated_at',
  dt: { column: 'created_at' },
});
export const ITEM_MAP = {
  item_id: 'itemID',
  system_sku: 'systemSku',
  custom_sku: 'customSku',
  description: 'description',
  tax_class_id: 'taxClassID',
  default_cost: 'defaultCost',
  avg_cost: 'avgCost',
  taxable: 'tax',
  archived: 'archived',
  created_at: 'createTime',
  updated_at: 'timeStamp',
};
export const ITEM_IGNORED = new Set(
  'discountable itemType serialized modelYear upc ean manufacturerSku categoryID departmentID itemMatrixID manufacturerID seasonID defaultVendorID'.split(
    ' ',
  ),
);
/** The item's default price (Prices.ItemPrice with useType Default). */
export const itemPrice = (item: Rec): unknown =>
  asList<Rec>((item.Prices as Rec | undefined)?.ItemPrice).find((p) => p.useType === 'Default')?.amount;

export const lightspeedInventory = defineLakeTable({
  source: 'lightspeed',
  entity: 'inventory',
  columns: [
    ...snapshot,
    col('item_shop_id', 'BIGINT', true),
    col('item_id', 'BIGINT', true),
    col('shop_id', 'INTEGER', true),
    col('qoh', 'INTEGER'),
    col('sellable', 'INTEGER'),
    col('reorder_point', 'INTEGER'),
    col('reorder_level', 'INTEGER'),
    col('updated_at', 'TIMESTAMP', true),
  ],
  naturalKey: ['item_shop_id', 'snapshot_date'],
  updatedAtField: 'updated_at',
  dt: { column: 'snapshot_date' },
});
export const ITEM_SHOP_MAP = {
  item_shop_id: 'itemShopID',
  item_id: 'itemID',
  shop_id: 'shopID',
  qoh: 'qoh',
  sellable: 'sellable',
  reorder_point: 'reorderPoint',
  reorder_level: 'reorderLevel',
  updated_at: 'timeStamp',
};
export const ITEM_SHOP_IGNORED = new Set('backorder componentQoh componentBackorder'.split(' '));
