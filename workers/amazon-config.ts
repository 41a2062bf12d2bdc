import { z } from 'zod';

/** Amazon SP-API settings; unset AMAZON_SELLER_ID means the Amazon channels are off (their workflows idle). */
export interface AmazonConfig {
  endpoint: string;
  lwa: { clientId: string; clientSecret: string; refreshToken: string; tokenUrl?: string };
  sellerId: string;
  marketplaceId: string;
  /** Vendor Central direct fulfillment: the vendor code and the warehouse whose inventory we report. */
  vendor?: { partyId: string; warehouseId: string };
  /** The ledger location that ships Amazon orders (their reservations are made there). */
  fulfilmentLocation: string;
}

const schema = z.object({
  AMAZON_SPAPI_URL: z.string().url().default('https://sellingpartnerapi-eu.amazon.com'),
  AMAZON_LWA_URL: z.string().url().optional(),
  AMAZON_LWA_CLIENT_ID: z.string().min(1).optional(),
  AMAZON_LWA_CLIENT_SECRET: z.string().min(1).optional(),
  AMAZON_LWA_REFRESH_TOKEN: z.string().min(1).optional(),
  AMAZON_SELLER_ID: z.string().min(1).optional(),
  AMAZON_MARKETPLACE_ID: z.string().min(1).default('A1F83G8C2ARO7P'),
  AMAZON_VENDOR_PARTY_ID: z.string().min(1).optional(),
  /** Comma-separated warehouse codes; stock is reported for the first (see README: one VDF warehouse today). */
  AMAZON_VENDOR_WAREHOUSES: z.string().min(1).optional(),
  AMAZON_FULFILMENT_LOCATION: z.string().min(1).default('C'),
});

/** Reads the AMAZON_* keys; adds a line to `problems` for each that is missing or bad (reported with the rest). */
export function amazonConfig(env: Record<string, string | undefined>, problems: string[]): AmazonConfig | undefined {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    for (const i of parsed.error.issues) problems.push(`${i.path.join('.')}: ${i.message}`);
    return undefined;
  }
  const c = parsed.data;
  if (!c.AMAZON_SELLER_ID) return undefined;
  const missing = (['AMAZON_LWA_CLIENT_ID', 'AMAZON_LWA_CLIENT_SECRET', 'AMAZON_LWA_REFRESH_TOKEN'] as const).filter(
    (k) => !c[k],
  );
  for (const k of missing) problems.push(`${k}: required when AMAZON_SELLER_ID is set`);
  const warehouses = (c.AMAZON_VENDOR_WAREHOUSES ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  if (Boolean(c.AMAZON_VENDOR_PARTY_ID) !== Boolean(warehouses.length))
    problems.push('AMAZON_VENDOR_PARTY_ID/AMAZON_VENDOR_WAREHOUSES: set both or neither');
  if (missing.length) return undefined;
  return {
    endpoint: c.AMAZON_SPAPI_URL,
    lwa: {
      clientId: c.AMAZON_LWA_CLIENT_ID!,
      clientSecret: c.AMAZON_LWA_CLIENT_SECRET!,
      refreshToken: c.AMAZON_LWA_REFRESH_TOKEN!,
      tokenUrl: c.AMAZON_LWA_URL,
    },
    sellerId: c.AMAZON_SELLER_ID,
    marketplaceId: c.AMAZON_MARKETPLACE_ID,
    vendor:
      c.AMAZON_VENDOR_PARTY_ID && warehouses[0]
        ? { partyId: c.AMAZON_VENDOR_PARTY_ID, warehouseId: warehouses[0] }
        : undefined,
    fulfilmentLocation: c.AMAZON_FULFILMENT_LOCATION,
  };
}
