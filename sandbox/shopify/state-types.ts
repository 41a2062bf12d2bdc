/** The sandbox shop's in-memory state: what a real shop would hold for the resources we imitate. */
export interface SbMetafield {
  id: string;
  namespace: string;
  key: string;
  value: string;
  type: string;
}
export interface SbVariant {
  id: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  optionValues: { name: string; value: string }[];
  inventoryItemId: string;
  metafields: SbMetafield[];
}
export interface SbProduct {
  id: string;
  handle: string;
  title: string;
  descriptionHtml: string;
  vendor: string;
  productType: string;
  tags: string[];
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  options: { id: string; name: string; position: number; values: string[] }[];
  variants: SbVariant[];
  metafields: SbMetafield[];
  files: { originalSource: string; alt: string | null }[];
  createdAt: string;
  updatedAt: string;
}
export interface SbInventoryItem {
  id: string;
  variantId: string;
  sku: string | null;
  tracked: boolean;
  weight: { unit: string; value: number } | null;
  /** locationId → quantity name → quantity */
  levels: Map<string, Map<string, number>>;
}
export interface SbLocation {
  id: string;
  name: string;
  code: string;
  isActive: boolean;
  address1?: string | null;
}
export interface SbMoney {
  amount: string;
  currencyCode: string;
}
export interface SbLineItem {
  id: string;
  sku: string | null;
  title: string;
  quantity: number;
  price: string;
  discount: string;
  taxLines: SbTaxLine[];
  /** Where the line's units are committed until fulfilment (tracked items stocked somewhere). */
  inventory?: { inventoryItemId: string; locationId: string };
  /** The location the order routed the line to (its fulfillment order's assigned location); kept after fulfilment. */
  assignedLocationId?: string;
}
export interface SbTaxLine {
  title: string;
  rate: number;
  price: string;
}
export interface SbAddress {
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  countryCodeV2: string | null;
  phone: string | null;
  name: string | null;
}
export interface SbCustomer {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  createdAt?: string;
  updatedAt: string;
}
export interface SbRefund {
  id: string;
  createdAt: string;
  note: string | null;
  total: string;
  lineItems: {
    lineItemId: string;
    quantity: number;
    subtotal: string;
    /**
     * RefundLineItemRestockType; `locationId` the restock location (none for NO_RESTOCK). Absent in a shop saved before
     * the sandbox kept it: read as LEGACY_RESTOCK ("restocked, without specifically being identified as a return or
     * cancelation"), which is what the pipelines assumed of every refund then.
     */
    restockType?: 'CANCEL' | 'RETURN' | 'NO_RESTOCK' | 'LEGACY_RESTOCK';
    locationId?: string | null;
  }[];
}
export interface SbOrder {
  id: string;
  number: number;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  currencyCode: string;
  presentmentCurrencyCode: string;
  financialStatus: string;
  fulfillmentStatus: string;
  subtotal: string;
  totalTax: string;
  totalShipping: string;
  totalDiscounts: string;
  total: string;
  customerId: string | null;
  shippingAddress: SbAddress | null;
  billingAddress: SbAddress | null;
  lineItems: SbLineItem[];
  refunds: SbRefund[];
  taxLines: SbTaxLine[];
  risk: {
    recommendation: 'ACCEPT' | 'CANCEL' | 'INVESTIGATE' | 'NONE';
    assessments: { riskLevel: string; provider: string | null; facts: { description: string; sentiment: string }[] }[];
  };
}
export interface SbBulkOperation {
  id: string;
  type: 'MUTATION' | 'QUERY';
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED';
  errorCode: string | null;
  query: string;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
}
export interface SbWebhookSubscription {
  id: string;
  topic: string;
  uri: string;
  createdAt: string;
}

/** A BasicEvent of the shop's event log (what happened to which resource, when). */
export interface SbEvent {
  id: string;
  action: string;
  subjectId: string;
  subjectType: 'CUSTOMER' | 'PRODUCT' | 'ORDER' | 'PRODUCT_VARIANT' | 'COLLECTION';
  createdAt: string;
  message: string;
}
