/** The sales channels stock is allocated to: the Shopify shop, Amazon Seller Central, Amazon Vendor Central (DF). */
export const CHANNELS = ['shopify', 'amazon', 'amazon-vendor'] as const;
export type Channel = (typeof CHANNELS)[number];

export const isChannel = (s: string): s is Channel => (CHANNELS as readonly string[]).includes(s);
