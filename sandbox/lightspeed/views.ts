import type { Item, PaymentType, Register, Shop, TaxCategory } from './catalog';
import { TAX_CLASSES } from './catalog';
import type { SaleDetail, SaleHeader, SaleLineRow, SalePaymentRow } from './sales';

// Every value the API returns is a string (ids, amounts, booleans, times), as the endpoint pages show them.
export const money = (cents: number) => (cents / 100).toFixed(2);
export const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
const bool = (b: boolean) => (b ? 'true' : 'false');

/** A relation holding one record is an object, several an array (the API's XML-to-JSON heritage). */
export function oneOrMany<T>(rows: T[]): T | T[] {
  return rows.length === 1 ? rows[0]! : rows;
}

export function saleLineView(l: SaleLineRow, h: SaleHeader, tax: TaxCategory): Record<string, string> {
  const cls = TAX_CLASSES.find((c) => c.taxClassID === l.taxClassID)!;
  return {
    saleLineID: String(l.saleLineID),
    createTime: time(h.completeTime),
    timeStamp: time(h.timeStamp),
    unitQuantity: String(l.quantity),
    unitPrice: money(l.unitPriceCents),
    normalUnitPrice: money(l.unitPriceCents),
    discountAmount: money(l.discountCents),
    discountPercent: '0',
    avgCost: money(l.avgCostCents),
    fifoCost: money(l.avgCostCents),
    tax: bool(cls.taxable),
    tax1Rate: cls.taxable ? String(tax.tax1Rate) : '0',
    tax2Rate: cls.excise ? String(tax.tax2Rate) : '0',
    isLayaway: 'false',
    isWorkorder: 'false',
    isSpecialOrder: 'false',
    displayableSubtotal: money(l.subtotalCents),
    displayableUnitPrice: money(l.unitPriceCents),
    calcLineDiscount: money(l.discountCents),
    calcTransactionDiscount: '0',
    calcTotal: money(l.totalCents),
    calcSubtotal: money(l.subtotalCents),
    calcTax1: money(l.tax1Cents),
    calcTax2: money(l.tax2Cents),
    taxClassID: String(l.taxClassID),
    customerID: '0',
    discountID: '0',
    employeeID: String(h.employeeID),
    itemID: String(l.itemID),
    noteID: '0',
    parentSaleLineID: String(l.parentSaleLineID),
    shopID: String(h.shopID),
    taxCategoryID: String(tax.taxCategoryID),
    saleID: String(h.saleID),
  };
}

export function salePaymentView(p: SalePaymentRow, h: SaleHeader, types: PaymentType[]): Record<string, unknown> {
  const type = types.find((t) => t.paymentTypeID === p.paymentTypeID)!;
  return {
    salePaymentID: String(p.salePaymentID),
    amount: money(p.amountCents),
    createTime: time(h.completeTime),
    archived: 'false',
    remoteReference: '',
    paymentID: '',
    saleID: String(p.saleID),
    paymentTypeID: String(p.paymentTypeID),
    ccChargeID: '0',
    refPaymentID: '0',
    registerID: String(p.registerID),
    employeeID: String(p.employeeID),
    creditAccountID: '0',
    PaymentType: paymentTypeView(type),
  };
}

export function saleView(
  h: SaleHeader,
  d: SaleDetail,
  relations: Set<string>,
  tax: TaxCategory,
  types: PaymentType[],
): Record<string, unknown> {
  const paid = d.payments.reduce((s, p) => s + p.amountCents, 0);
  const out: Record<string, unknown> = {
    saleID: String(h.saleID),
    timeStamp: time(h.timeStamp),
    discountPercent: '0',
    completed: 'true',
    archived: 'false',
    voided: bool(h.voided),
    enablePromotions: 'true',
    isTaxInclusive: 'false',
    createTime: time(h.completeTime),
    updateTime: time(h.timeStamp),
    completeTime: time(h.completeTime),
    referenceNumber: '',
    referenceNumberSource: '',
    tax1Rate: String(tax.tax1Rate),
    tax2Rate: String(tax.tax2Rate),
    change: '0',
    ticketNumber: `22000${h.saleID}`,
    calcDiscount: money(d.discountCents),
    calcTotal: money(d.totalCents),
    calcSubtotal: money(d.subtotalCents),
    calcTaxable: money(d.lines.filter((l) => l.tax1Cents !== 0).reduce((s, l) => s + l.subtotalCents, 0)),
    calcNonTaxable: money(d.lines.filter((l) => l.tax1Cents === 0).reduce((s, l) => s + l.subtotalCents, 0)),
    calcTax1: money(d.tax1Cents),
    calcTax2: money(d.tax2Cents),
    calcPayments: money(paid),
    total: money(d.totalCents),
    totalDue: money(d.totalCents),
    displayableTotal: money(d.totalCents),
    balance: money(d.totalCents - paid),
    customerID: '0',
    discountID: '0',
    employeeID: String(h.employeeID),
    quoteID: '0',
    registerID: String(h.registerID),
    shipToID: '0',
    shopID: String(h.shopID),
    taxCategoryID: String(tax.taxCategoryID),
  };
  if (relations.has('SaleLines') && d.lines.length)
    out.SaleLines = { SaleLine: oneOrMany(d.lines.map((l) => saleLineView(l, h, tax))) };
  if (relations.has('SalePayments') && d.payments.length)
    out.SalePayments = { SalePayment: oneOrMany(d.payments.map((p) => salePaymentView(p, h, types))) };
  return out;
}

export const shopView = (s: Shop, at: number) => ({
  shopID: String(s.shopID),
  name: s.name,
  serviceRate: '0',
  timeZone: s.timeZone,
  taxLabor: 'false',
  labelTitle: 'Shop Name',
  labelMsrp: 'false',
  archived: 'false',
  timeStamp: time(at),
  companyRegistrationNumber: '',
  vatNumber: '',
  zebraBrowserPrint: 'false',
  contactID: String(s.shopID),
  taxCategoryID: String(s.taxCategoryID),
  receiptSetupID: '1',
  ccGatewayID: '0',
  gatewayConfigID: '',
  priceLevelID: '1',
  // Custom field the demo uses for the store code (C, EM, …) the rest of the system knows the shop by.
  customShopCode: s.code,
});

export const registerView = (r: Register, at: number) => ({
  registerID: String(r.registerID),
  name: r.name,
  open: 'false',
  openTime: time(at),
  openEmployeeID: '0',
  cashDrawer: 'true',
  registerGroupID: '1',
  shopID: String(r.shopID),
  archived: 'false',
  timeStamp: time(at),
});

export const taxCategoryView = (t: TaxCategory, at: number) => ({
  taxCategoryID: String(t.taxCategoryID),
  isTaxInclusive: 'false',
  tax1Name: t.tax1Name,
  tax2Name: t.tax2Name,
  tax1Rate: String(t.tax1Rate),
  tax2Rate: String(t.tax2Rate),
  timeStamp: time(at),
  TaxCategoryClasses: {
    TaxCategoryClass: oneOrMany(
      TAX_CLASSES.map((c) => ({
        taxCategoryClassID: String(t.taxCategoryID * 10 + c.taxClassID),
        tax1Rate: c.taxable ? String(t.tax1Rate) : '0',
        tax2Rate: c.excise ? String(t.tax2Rate) : '0',
        timeStamp: time(at),
        taxCategoryID: String(t.taxCategoryID),
        taxClassID: String(c.taxClassID),
        TaxClass: { taxClassID: String(c.taxClassID), name: c.name, classType: 'item', timeStamp: time(at) },
      })),
    ),
  },
});

export const paymentTypeView = (p: PaymentType) => ({
  paymentTypeID: String(p.paymentTypeID),
  name: p.name,
  requireCustomer: 'false',
  archived: 'false',
  internalReserved: 'false',
  type: p.code,
  refundAsPaymentTypeID: '0',
  channel: 'pos',
});

export const itemView = (i: Item) => ({
  itemID: String(i.itemID),
  systemSku: i.systemSku,
  defaultCost: money(i.costCents),
  avgCost: money(i.costCents),
  discountable: 'true',
  tax: i.taxClassID === 2 ? 'false' : 'true',
  archived: 'false',
  itemType: 'default',
  serialized: 'false',
  description: i.description,
  modelYear: '0',
  upc: '',
  ean: '',
  customSku: i.customSku,
  manufacturerSku: '',
  createTime: time(i.createTime),
  timeStamp: time(i.timeStamp),
  categoryID: '0',
  taxClassID: String(i.taxClassID),
  departmentID: '0',
  itemMatrixID: '0',
  manufacturerID: '0',
  seasonID: '0',
  defaultVendorID: '0',
  Prices: {
    ItemPrice: [
      { amount: money(i.priceCents), useTypeID: '1', useType: 'Default' },
      { amount: money(i.priceCents), useTypeID: '2', useType: 'MSRP' },
    ],
  },
});
