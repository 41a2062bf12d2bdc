import { numericId, type ShopState, type SbOrder } from './state';

/** The webhook body: Shopify's REST-style order JSON (numeric ids, snake_case). */
export function orderPayload(o: SbOrder, s: ShopState) {
  const num = numericId;
  const customer = o.customerId ? s.customers.get(o.customerId) : undefined;
  return {
    id: num(o.id),
    admin_graphql_api_id: o.id,
    name: `#${o.number}`,
    order_number: o.number,
    email: o.email,
    created_at: o.createdAt,
    updated_at: o.updatedAt,
    processed_at: o.processedAt,
    cancelled_at: o.cancelledAt,
    currency: o.currencyCode,
    presentment_currency: o.presentmentCurrencyCode,
    financial_status: o.financialStatus.toLowerCase(),
    fulfillment_status: o.fulfillmentStatus === 'FULFILLED' ? 'fulfilled' : null,
    subtotal_price: o.subtotal,
    total_tax: o.totalTax,
    total_discounts: o.totalDiscounts,
    total_price: o.total,
    total_shipping_price_set: { shop_money: { amount: o.totalShipping, currency_code: o.currencyCode } },
    customer: customer
      ? {
          id: num(customer.id),
          admin_graphql_api_id: customer.id,
          email: customer.email,
          phone: customer.phone,
          first_name: customer.firstName,
          last_name: customer.lastName,
          updated_at: customer.updatedAt,
        }
      : null,
    shipping_address: o.shippingAddress
      ? { ...o.shippingAddress, country_code: o.shippingAddress.countryCodeV2 }
      : null,
    billing_address: o.billingAddress ? { ...o.billingAddress, country_code: o.billingAddress.countryCodeV2 } : null,
    line_items: o.lineItems.map((li) => ({
      id: num(li.id),
      admin_graphql_api_id: li.id,
      sku: li.sku,
      title: li.title,
      quantity: li.quantity,
      price: li.price,
      total_discount: li.discount,
      tax_lines: li.taxLines,
    })),
    refunds: o.refunds.map((r) => ({
      id: num(r.id),
      admin_graphql_api_id: r.id,
      order_id: num(o.id),
      created_at: r.createdAt,
      note: r.note,
      // REST Refund resource: restock_type is no_restock, cancel, return or legacy_restock; location_id is where
      // the units were restocked (none when not restocked).
      refund_line_items: r.lineItems.map((rl) => ({
        line_item_id: num(rl.lineItemId),
        quantity: rl.quantity,
        subtotal: rl.subtotal,
        restock_type: (rl.restockType ?? 'LEGACY_RESTOCK').toLowerCase(),
        location_id: rl.locationId ? num(rl.locationId) : null,
      })),
    })),
    tax_lines: o.taxLines,
  };
}

/** The orders/risk_assessment_changed body, as Shopify sends it. */
export function riskPayload(o: SbOrder) {
  const a = o.risk.assessments[0];
  return {
    provider_id: null,
    provider_title: a?.provider ?? null,
    risk_level: (a?.riskLevel ?? 'NONE').toLowerCase(),
    created_at: o.updatedAt,
    order_id: numericId(o.id),
    admin_graphql_api_order_id: o.id,
  };
}

/**
 * fulfillment_orders/order_routing_complete (WebhookSubscriptionTopic FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE:
 * "Occurs when an order has finished being routed and it's fulfillment orders assigned to a fulfillment service's
 * location"): one delivery per fulfillment order, whose body holds only that fulfillment order's id and status
 * (Shopify community, "What is the recommended way to fetch newly created FulfillmentOrders?": "it only includes
 * two fields (id and status)"); the receiver reads the rest.
 */
export function routingCompletePayload(fo: { id: string; status: string }) {
  return { fulfillment_order: { id: fo.id, status: fo.status.toLowerCase() } };
}

/**
 * fulfillment_orders/moved (WebhookSubscriptionTopic FULFILLMENT_ORDERS_MOVED: "Occurs whenever the location which is
 * assigned to fulfill one or more fulfillment order line items is changed", with `original_fulfillment_order` "the
 * final state of the original fulfillment order", `moved_fulfillment_order` "the fulfillment order which now contains
 * the re-assigned line items", `source_location` "the original location which was assigned to fulfill the line
 * items" and `destination_location_id`). Each fulfillment order as its id, status and assigned location id.
 */
export function movedPayload(
  original: { id: string; status: string; locationId: string },
  moved: { id: string; status: string; locationId: string },
  sourceLocationId: string,
) {
  const fo = (f: typeof original) => ({
    id: f.id,
    status: f.status.toLowerCase(),
    assigned_location_id: numericId(f.locationId),
  });
  return {
    original_fulfillment_order: fo(original),
    moved_fulfillment_order: fo(moved),
    source_location: { id: numericId(sourceLocationId) },
    destination_location_id: numericId(moved.locationId),
  };
}
