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
