import type { GqlOrder } from './orders';

const MONEY = 'shopMoney { amount currencyCode }';
const ADDRESS = 'address1 address2 city province zip countryCodeV2 phone name';

/** Shopify search for orders created in [from, to). Historical backfills go by creation: that never changes. */
export const createdWindowQuery = (from: string, to: string) => `created_at:>='${from}' AND created_at:<'${to}'`;

/**
 * Bulk query of every order created in [from, to) with what the orders database keeps. Line items are a
 * connection (their own JSONL lines, joined by `__parentId`); refunds and risk are lists, so they stay
 * inline on the order line. Refund line items are left to the incremental ingest: Shopify's bulk queries
 * do not allow a connection inside a list field.
 */
export function ordersBulkQueryFor(from: string, to: string): string {
  return `{
  orders(query: ${JSON.stringify(createdWindowQuery(from, to))}, sortKey: CREATED_AT) {
    edges { node {
      id name email createdAt updatedAt processedAt cancelledAt currencyCode presentmentCurrencyCode
      displayFinancialStatus displayFulfillmentStatus
      subtotalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
      totalDiscountsSet { ${MONEY} } totalPriceSet { ${MONEY} } totalRefundedSet { ${MONEY} }
      customer { id email phone firstName lastName updatedAt }
      shippingAddress { ${ADDRESS} } billingAddress { ${ADDRESS} }
      taxLines { title rate priceSet { ${MONEY} } }
      refunds { id createdAt note totalRefundedSet { ${MONEY} } }
      risk { recommendation assessments { riskLevel provider { title } facts { description sentiment } } }
      lineItems { edges { node { id sku title quantity originalUnitPriceSet { ${MONEY} } totalDiscountSet { ${MONEY} } } } }
    } }
  }
}`;
}

type BulkLine = Record<string, unknown> & { id?: string; __parentId?: string };

/**
 * Joins a bulk JSONL stream back into orders. Shopify writes a parent before its children and keeps the
 * children of one parent together, so an order is complete when the next order line arrives.
 * `push` returns the order that just completed (if any); `finish` returns the last one.
 */
export class BulkOrderAssembler {
  private current: GqlOrder | null = null;
  /** Lines consumed so far, including the pending order's: the resume point is a count of whole orders. */
  linesSeen = 0;

  push(line: BulkLine): GqlOrder | null {
    this.linesSeen++;
    if (!line.__parentId) {
      const done = this.current;
      this.current = { ...(line as unknown as GqlOrder), lineItems: [] };
      return done;
    }
    if (!this.current || line.__parentId !== this.current.id)
      throw new Error(`bulk line ${this.linesSeen} belongs to ${line.__parentId}, not the order being assembled`);
    const { __parentId: _parent, ...child } = line;
    if (String(child.id ?? '').includes('/LineItem/'))
      (this.current.lineItems as unknown[]).push(child as unknown as GqlOrder['lineItems']);
    return null;
  }

  finish(): GqlOrder | null {
    const done = this.current;
    this.current = null;
    return done;
  }
}
