import { z } from 'zod';
import type { VendorConfig, VendorWarehouse } from '../domain/channels/channels';

export type { VendorConfig, VendorWarehouse };

/** Amazon SP-API settings; unset AMAZON_SELLER_ID means the Amazon channels are off (their workflows idle). */
export interface AmazonConfig {
  endpoint: string;
  lwa: { clientId: string; clientSecret: string; refreshToken: string; tokenUrl?: string };
  sellerId: string;
  marketplaceId: string;
  /** Vendor Central direct fulfillment: the vendor code and the warehouses whose inventory we report. */
  vendor?: VendorConfig;
  /** The ledger location that ships Amazon orders (their reservations are made there). */
  fulfilmentLocation: string;
  /**
   * How long after accepting a lower quantity Amazon may still show the higher one (listing changes take up to ~15
   * minutes): the other channels leave room for the old quantity that long. A sandbox sets its own delay.
   */
  listingApplyMs: number;
}

/**
 * `AMAZON_VENDOR_WAREHOUSES`: comma-separated `CODE` or `CODE=LOC+LOC`. A lone bare code stands for every location
 * (all of Vendor Central's allocation goes there, as before); with several, a bare code is the ledger location of
 * the same code.
 */
export function parseVendorWarehouses(value: string, problems: string[]): VendorWarehouse[] {
  const entries = value
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
  const out = entries.map((e): VendorWarehouse => {
    const [id, locs] = e.split('=').map((x) => x.trim());
    if (locs === undefined) return { id: id!, locations: entries.length === 1 ? null : [id!] };
    const locations = locs
      .split('+')
      .map((l) => l.trim())
      .filter(Boolean);
    if (!id || !locations.length)
      problems.push(`AMAZON_VENDOR_WAREHOUSES: '${e}' is not CODE or CODE=LOCATION+LOCATION`);
    return { id: id!, locations };
  });
  const seen = new Map<string, string>();
  for (const w of out)
    for (const l of w.locations ?? []) {
      if (seen.has(l)) problems.push(`AMAZON_VENDOR_WAREHOUSES: location ${l} is in both ${seen.get(l)} and ${w.id}`);
      seen.set(l, w.id);
    }
  return out;
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
  /** Comma-separated warehouses, `CODE` or `CODE=LOC+LOC` (parseVendorWarehouses). */
  AMAZON_VENDOR_WAREHOUSES: z.string().min(1).optional(),
  AMAZON_FULFILMENT_LOCATION: z.string().min(1).default('C'),
  AMAZON_LISTING_APPLY_MS: z.coerce.number().int().min(0).default(900_000),
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
  const warehouses = parseVendorWarehouses(c.AMAZON_VENDOR_WAREHOUSES ?? '', problems);
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
      c.AMAZON_VENDOR_PARTY_ID && warehouses.length ? { partyId: c.AMAZON_VENDOR_PARTY_ID, warehouses } : undefined,
    fulfilmentLocation: c.AMAZON_FULFILMENT_LOCATION,
    listingApplyMs: c.AMAZON_LISTING_APPLY_MS,
  };
}
