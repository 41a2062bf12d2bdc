import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { activate, rawAdmin } from '../../support/sandbox-client';

// Location.inventoryLevels, schema 2026-10: "A list of the quantities of the inventory items that can be stocked at
// this location." Bulk operations: "Each line in the JSONL file represents a node ... a nested connection's nodes
// carry __parentId" (shopify.dev, Perform bulk operations with the GraphQL Admin API).
describe('sandbox: a location lists its inventory levels (paged, and in a bulk query)', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  let locations: { id: string; name: string }[];
  const items: { sku: string; id: string }[] = [];
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'plus' });
    gql = rawAdmin(sb);
    locations = (await gql('{ locations(first: 10) { nodes { id name } } }')).json.data.locations.nodes;
    for (const sku of ['BAK-000001-1', 'BAK-000002-1', 'BAK-000003-1']) {
      const { json } = await gql(
        `mutation($sku: String!) { productSet(synchronous: true, input: { title: $sku, productOptions: [{ name: "Size", values: [{ name: "1" }] }], variants: [{ sku: $sku, price: "2.00", optionValues: [{ optionName: "Size", name: "1" }] }] }) { product { variants(first: 1) { nodes { inventoryItem { id } } } } userErrors { code } } }`,
        { sku },
      );
      items.push({ sku, id: json.data.productSet.product.variants.nodes[0].inventoryItem.id });
    }
    // Items 1 and 2 at the first location, item 3 at the second.
    await activate(gql, items[0]!.id, locations[0]!.id);
    await activate(gql, items[1]!.id, locations[0]!.id);
    await activate(gql, items[2]!.id, locations[1]!.id);
  });
  afterAll(() => sb.close());

  it('pages a location’s levels with first/after and refuses a connection without first or last', async () => {
    const page = async (after: string | null) =>
      (
        await gql(
          `query($after: String) { node: locations(first: 10) { nodes { id inventoryLevels(first: 1, after: $after) { nodes { item { sku } quantities(names: ["on_hand"]) { name quantity } } pageInfo { hasNextPage endCursor } } } } }`,
          { after },
        )
      ).json.data.node.nodes.find((l: { id: string }) => l.id === locations[0]!.id).inventoryLevels;
    const first = await page(null);
    expect(first.nodes.map((n: { item: { sku: string } }) => n.item.sku)).toEqual(['BAK-000001-1']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(first.pageInfo.endCursor);
    expect(second.nodes.map((n: { item: { sku: string } }) => n.item.sku)).toEqual(['BAK-000002-1']);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(second.nodes[0].quantities).toEqual([{ name: 'on_hand', quantity: 0 }]);

    const unpaged = await gql('{ locations(first: 5) { nodes { inventoryLevels { nodes { id } } } } }');
    expect(unpaged.json.errors[0].message).toBe('you must provide one of first or last');
  });

  it('returns every level in a bulk query, each line linked to its location by __parentId', async () => {
    const run = await gql(
      `mutation($q: String!) { bulkOperationRunQuery(groupObjects: false, query: $q) { bulkOperation { id } userErrors { message } } }`,
      {
        q: '{ locations { edges { node { id name inventoryLevels { edges { node { id quantities(names: ["on_hand", "available"]) { name quantity } item { id sku } } } } } } } }',
      },
    );
    expect(run.json.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const id = run.json.data.bulkOperationRunQuery.bulkOperation.id;
    let op: { status: string; url: string } | undefined;
    for (let i = 0; i < 200 && op?.status !== 'COMPLETED'; i++) {
      op = (await gql(`query($id: ID!) { bulkOperation(id: $id) { status url } }`, { id })).json.data.bulkOperation;
      await new Promise((r) => setTimeout(r, 25));
    }
    const lines = (await (await fetch(op!.url)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; __parentId?: string; item?: { sku: string } });
    const levels = lines.filter((l) => l.__parentId);
    expect(lines.filter((l) => !l.__parentId).map((l) => l.id)).toEqual(locations.map((l) => l.id));
    expect(levels.map((l) => [l.__parentId, l.item!.sku])).toEqual([
      [locations[0]!.id, 'BAK-000001-1'],
      [locations[0]!.id, 'BAK-000002-1'],
      [locations[1]!.id, 'BAK-000003-1'],
    ]);
  });

  // InventoryLevel.updatedAt: "The date and time when the inventory level was updated."; Location.inventoryLevels
  // (query:) filters on `created_at`, `updated_at` and `inventory_item_id`, as the 2026-10 schema lists them.
  it('moves a level’s updatedAt when its quantities change, and filters a location’s levels by updated_at', async () => {
    const levels = async (query: string | null) =>
      (
        await gql(
          `query($id: ID, $q: String) { location(id: $id) { inventoryLevels(first: 10, query: $q) { nodes { createdAt updatedAt item { sku } } } } }`,
          { id: locations[0]!.id, q: query },
        )
      ).json.data.location.inventoryLevels.nodes as { createdAt: string; updatedAt: string; item: { sku: string } }[];
    const before = await levels(null);
    expect(before.map((l) => l.item.sku)).toEqual(['BAK-000001-1', 'BAK-000002-1']);
    for (const l of before) expect(Date.parse(l.updatedAt)).toBeGreaterThanOrEqual(Date.parse(l.createdAt));
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    const { json } = await gql(
      `mutation($input: InventorySetQuantitiesInput!, $k: String!) { inventorySetQuantities(input: $input) @idempotent(key: $k) { userErrors { code message } } }`,
      {
        k: 'levels-updated-at',
        input: {
          name: 'on_hand',
          reason: 'correction',
          quantities: [
            { inventoryItemId: items[1]!.id, locationId: locations[0]!.id, quantity: 12, changeFromQuantity: 0 },
          ],
        },
      },
    );
    expect(json.data.inventorySetQuantities.userErrors).toEqual([]);
    const changed = await levels(`updated_at:>='${since}'`);
    expect(changed.map((l) => l.item.sku)).toEqual(['BAK-000002-1']);
    expect(changed[0]!.createdAt).toBe(before[1]!.createdAt);
    expect(await levels(`updated_at:<'${since}'`)).toHaveLength(1);
    // No id: "the primary location of the Shop is returned".
    const primary = await gql('{ location { id } }');
    expect(primary.json.data.location.id).toBe(locations[0]!.id);
  });
});
