import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { rawAdmin } from '../../support/sandbox-client';

// ProductVariantInventoryPolicy.DENY (admin 2026-10 schema): "Customers can't buy this product variant after it's
// out of stock." Shopify's inventory states: placing an order moves units from available to committed.
describe('sandbox storefront checkout: inventory policy DENY', () => {
  let sb: ShopifySandbox;
  let itemId: string;
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'plus' });
    const gql = rawAdmin(sb);
    const { json } = await gql(
      `mutation { productSet(synchronous: true, input: { title: "Rice", productOptions: [{ name: "Size", values: [{ name: "1 kg" }] }], variants: [{ sku: "RICE-1", price: "4.00", optionValues: [{ optionName: "Size", name: "1 kg" }] }] }) { product { variants(first: 1) { nodes { inventoryItem { id } } } } userErrors { code } } }`,
    );
    itemId = (
      json as { data: { productSet: { product: { variants: { nodes: { inventoryItem: { id: string } }[] } } } } }
    ).data.productSet.product.variants.nodes[0]!.inventoryItem.id;
    const [first, second] = [...sb.state.locations.keys()];
    const r = await gql(
      `mutation A($i: ID!, $l: ID!) { inventoryActivate(inventoryItemId: $i, locationId: $l, onHand: 3) @idempotent(key: "a1") { userErrors { message } } }`,
      { i: itemId, l: first },
    );
    expect(r.json).toMatchObject({ data: { inventoryActivate: { userErrors: [] } } });
    await gql(
      `mutation A($i: ID!, $l: ID!) { inventoryActivate(inventoryItemId: $i, locationId: $l, onHand: 5) @idempotent(key: "a2") { userErrors { message } } }`,
      { i: itemId, l: second },
    );
  });
  afterAll(async () => sb?.close());

  const available = () => [...sb.state.inventoryItems.get(itemId)!.levels.values()].map((l) => l.get('available'));

  it('commits a line at a location that has the units available, and refuses one no location can fill', () => {
    expect(available()).toEqual([3, 5]);
    const order = sb.storefront.checkout([{ sku: 'RICE-1', quantity: 4 }]);
    expect(order?.lineItems[0]?.quantity).toBe(4);
    expect(available()).toEqual([3, 1]); // the first location had only 3: routed to the second
    expect(sb.storefront.checkout([{ sku: 'RICE-1', quantity: 4 }])).toBeUndefined();
    expect(available()).toEqual([3, 1]);
    expect(sb.storefront.checkout([{ sku: 'RICE-1', quantity: 3 }])).toBeDefined();
    expect(available()).toEqual([0, 1]);
    const orders = sb.state.orders.size;
    expect(sb.storefront.checkout([{ sku: 'RICE-1', quantity: 2 }])).toBeUndefined();
    expect(sb.state.orders.size).toBe(orders);
  });
});
