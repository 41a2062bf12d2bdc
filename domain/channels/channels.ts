/** The sales channels stock is allocated to: the Shopify shop, Amazon Seller Central, Amazon Vendor Central (DF). */
export const CHANNELS = ['shopify', 'amazon', 'amazon-vendor'] as const;
export type Channel = (typeof CHANNELS)[number];

export const isChannel = (s: string): s is Channel => (CHANNELS as readonly string[]).includes(s);

/**
 * A Vendor Central direct-fulfillment warehouse and the ledger locations whose stock it ships (null: every location,
 * the single-warehouse case). Each warehouse reports what its own locations hold, as a vendor expects: Amazon routes
 * a DF order to the warehouse that reported the stock, so reporting one pool of stock at every warehouse would
 * promise each unit several times.
 */
export interface VendorWarehouse {
  id: string;
  locations: string[] | null;
}
export interface VendorConfig {
  partyId: string;
  warehouses: VendorWarehouse[];
}
