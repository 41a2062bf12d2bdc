import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { productSetCost, queryCost } from '../../../sandbox/shopify/cost';
import { sandboxSchema } from '../../../sandbox/shopify/schema';
import { rawAdmin } from '../../support/sandbox-client';

function cost(query: string, variables: Record<string, unknown> = {}): number {
  const doc = parse(query);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return queryCost({ schema: sandboxSchema, operation, fragments, variables });
}

describe("sandbox: query cost follows Shopify's documented formula", () => {
  // Objects 1, scalars and enums 0, connections 2 + first × (cost of one node), mutations 10.
  it.each([
    ['scalars on an object', '{ shop { id name currencyCode } }', 1],
    ['a connection of 10 with scalar nodes', '{ products(first: 10) { edges { node { id title } } } }', 2 + 10 * 1],
    ['nodes shorthand is the same', '{ products(first: 10) { nodes { id } } }', 12],
    [
      'nested connection',
      '{ products(first: 5) { nodes { id variants(first: 10) { nodes { sku } } } } }',
      2 + 5 * (1 + 2 + 10),
    ],
    [
      'nested object inside a node',
      '{ products(first: 2) { nodes { variants(first: 3) { nodes { inventoryItem { id } } } } } }',
      2 + 2 * (1 + 2 + 3 * 2),
    ],
    [
      'orders page with line items',
      '{ orders(first: 50) { nodes { id customer { id } lineItems(first: 20) { nodes { sku } } } } }',
      2 + 50 * (1 + 1 + 2 + 20),
    ],
    ['variables size connections', 'query($n: Int) { locations(first: $n) { nodes { id } } }', 2 + 25],
    [
      'a mutation',
      'mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1") { deletedWebhookSubscriptionId } }',
      10,
    ],
  ])('%s', (_name, query, expected) => {
    expect(cost(query, { n: 25 })).toBe(expected);
  });

  it('prices productSet dynamically: 10 + 0.2/variant + 0.4/product metafield + 1.9/product file (rounded up)', () => {
    const input = { variants: Array.from({ length: 4 }, () => ({})), metafields: [{}], files: [{}] };
    expect(productSetCost(input)).toBe(Math.ceil(10 + 0.8 + 0.4 + 1.9));
    expect(productSetCost({})).toBe(10);
    expect(cost('mutation($input: ProductSetInput!) { productSet(input: $input) { product { id } } }', { input })).toBe(
      14,
    );
  });

  it('prices productUpdate dynamically too: 10 + 0.4/product metafield + 1.9/media', () => {
    expect(
      cost(
        'mutation($p: ProductUpdateInput) { productUpdate(product: $p) { product { id } userErrors { message } } }',
        {
          p: { id: 'gid://shopify/Product/1', title: 'x' },
        },
      ),
    ).toBe(10);
  });

  it('sums aliased mutations, each at its own price', () => {
    const input = { variants: Array.from({ length: 10 }, () => ({})) }; // 10 + 2
    expect(
      cost(
        'mutation($input: ProductSetInput!) { a: productSet(input: $input) { product { id } } b: productSet(input: $input) { product { id } } }',
        { input },
      ),
    ).toBe(24);
  });
});

describe('sandbox: leaky bucket and faults', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'standard' });
    gql = rawAdmin(sb);
  });
  afterAll(() => sb.close());

  it('reports extensions.cost with requested and actual cost on every reply', async () => {
    const { json } = await gql('{ products(first: 50) { nodes { id } } }');
    expect(json.extensions.cost).toMatchObject({
      requestedQueryCost: 52,
      actualQueryCost: 2,
      throttleStatus: { maximumAvailable: 2000, restoreRate: 100 },
    });
  });

  it('refuses a query over 1000 points with MAX_COST_EXCEEDED', async () => {
    const { json } = await gql('{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }');
    expect(json.errors[0].extensions.code).toBe('MAX_COST_EXCEEDED');
  });

  it('throttles inside an HTTP 200 with the THROTTLED shape once the bucket is empty', async () => {
    // Mutations cost 10 and are not refunded: 400 at once (4000 points) exceed the Standard 2000-point bucket even on a slow machine.
    const replies = await Promise.all(
      Array.from({ length: 400 }, () =>
        gql(
          'mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1") { deletedWebhookSubscriptionId } }',
        ),
      ),
    );
    const throttled = replies.filter((r) => r.json.errors?.[0]?.extensions?.code === 'THROTTLED');
    expect(throttled.length).toBeGreaterThan(0);
    const t = throttled[0]!;
    expect(t.status).toBe(200);
    expect(t.json.errors[0]).toEqual({
      message: 'Throttled',
      extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
    });
    expect(t.json.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(10);
    expect(t.json.extensions.cost.actualQueryCost).toBeNull();
    expect(t.json.data).toBeUndefined();
  });

  it('injects 5xx replies and committed-but-dropped mutations on demand', async () => {
    sb.setPlan('enterprise');
    sb.setFaults({ http5xxRate: 1 });
    expect((await gql('{ shop { name } }')).status).toBe(503);
    sb.setFaults({ dropAfterCommitRate: 1 });
    await expect(gql('mutation { productSet(input: { title: "Dropped" }) { product { id } } }')).rejects.toThrow();
    sb.setFaults({});
    const { json } = await gql('{ products(first: 5, query: "status:active") { nodes { title } } }');
    expect(json.data.products.nodes.map((p: { title: string }) => p.title)).toContain('Dropped'); // applied although the client never heard back
  });
});
