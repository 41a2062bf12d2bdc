import type { ShopifySandbox } from '../../sandbox/shopify';

/** Plain fetch against the sandbox (not the project's connector), for testing the sandbox itself. */
export function rawAdmin(sandbox: ShopifySandbox, token = sandbox.accessToken) {
  return async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(sandbox.adminGraphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

/** Stocks an item at a location through the sandbox's inventoryActivate (Shopify: quantities need a level first). */
export async function activate(gql: ReturnType<typeof rawAdmin>, inventoryItemId: string, locationId: string) {
  const { json } = await gql(
    `mutation($i: ID!, $l: ID!, $k: String!) { inventoryActivate(inventoryItemId: $i, locationId: $l) @idempotent(key: $k) { inventoryLevel { id } userErrors { message } } }`,
    { i: inventoryItemId, l: locationId, k: `activate-${inventoryItemId}-${locationId}` },
  );
  if (json.data.inventoryActivate.userErrors.length)
    throw new Error(JSON.stringify(json.data.inventoryActivate.userErrors));
}
