import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { rawAdmin } from '../../support/sandbox-client';

// Admin API 2026-10: QueryRoot.deletionEvents is deprecated ("Use `events` instead."); BasicEvent: "`destroy` | The
// item was destroyed.", subjectId "The ID of the resource that generated the event.", the events query filters on
// `action` and `subject_type`. productDelete: "Permanently deletes a product and all its associated data, including
// variants, media, publications, and inventory items." customerDelete: "You can only delete customers who haven't
// placed any orders."
describe('sandbox: deletions are destroy events in the shop’s event log', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'plus' });
    gql = rawAdmin(sb);
  });
  afterAll(() => sb.close());

  const events = async (query: string) =>
    (
      await gql(
        `query($q: String) { events(first: 50, query: $q, sortKey: CREATED_AT) { nodes { __typename id action createdAt message ... on BasicEvent { subjectId subjectType } } } }`,
        { q: query },
      )
    ).json.data.events.nodes as { __typename: string; action: string; subjectId: string; subjectType: string }[];

  it('productDelete removes the product, its variants and inventory items, and records a destroy event', async () => {
    const { json } = await gql(
      `mutation { productSet(synchronous: true, input: { title: "Rye bread", productOptions: [{ name: "Size", values: [{ name: "400 g" }, { name: "800 g" }] }], variants: [{ sku: "RYE-1", price: "3.00", optionValues: [{ optionName: "Size", name: "400 g" }] }, { sku: "RYE-2", price: "5.50", optionValues: [{ optionName: "Size", name: "800 g" }] }] }) { product { id variants(first: 5) { nodes { id inventoryItem { id } } } } userErrors { message } } }`,
    );
    const product = json.data.productSet.product;
    const before = new Date(Date.now() - 1000).toISOString();
    const del = await gql(
      `mutation($id: ID!) { productDelete(input: { id: $id }) { deletedProductId userErrors { field message } } }`,
      { id: product.id },
    );
    expect(del.json.data.productDelete).toEqual({ deletedProductId: product.id, userErrors: [] });
    const gone = await gql(`query($id: ID!) { product(id: $id) { id } }`, { id: product.id });
    expect(gone.json.data.product).toBeNull();
    for (const v of product.variants.nodes) {
      expect(sb.state.inventoryItems.has(v.inventoryItem.id)).toBe(false);
      expect(
        (await gql(`query($id: ID!) { productVariant(id: $id) { id } }`, { id: v.id })).json.data.productVariant,
      ).toBeNull();
    }
    const destroyed = await events(`action:destroy AND subject_type:PRODUCT AND created_at:>='${before}'`);
    expect(destroyed.map((e) => [e.__typename, e.action, e.subjectType, e.subjectId])).toEqual([
      ['BasicEvent', 'destroy', 'PRODUCT', product.id],
    ]);
    // A second delete finds nothing.
    const again = await gql(
      `mutation($id: ID!) { productDelete(input: { id: $id }) { deletedProductId userErrors { message } } }`,
      {
        id: product.id,
      },
    );
    expect(again.json.data.productDelete.deletedProductId).toBeNull();
    expect(again.json.data.productDelete.userErrors).toHaveLength(1);
  });

  it('customerDelete refuses a customer with orders and deletes one without, recording a destroy event', async () => {
    const [order] = sb.storefront.placeOrders({ count: 1 });
    const buyer = order!.customerId!;
    const refused = await gql(
      `mutation($id: ID!) { customerDelete(input: { id: $id }) { deletedCustomerId userErrors { field message } } }`,
      { id: buyer },
    );
    expect(refused.json.data.customerDelete.deletedCustomerId).toBeNull();
    expect(refused.json.data.customerDelete.userErrors[0].field).toEqual(['id']);
    expect(sb.state.customers.has(buyer)).toBe(true);
    // A customer who signed up and never ordered.
    const id = sb.state.gid('Customer');
    const now = new Date().toISOString();
    sb.state.customers.set(id, {
      id,
      email: null,
      phone: null,
      firstName: 'Ada',
      lastName: null,
      createdAt: now,
      updatedAt: now,
    });
    const deleted = await gql(
      `mutation($id: ID!) { customerDelete(input: { id: $id }) { deletedCustomerId userErrors { message } } }`,
      { id },
    );
    expect(deleted.json.data.customerDelete).toEqual({ deletedCustomerId: id, userErrors: [] });
    expect((await gql(`query($id: ID!) { customer(id: $id) { id } }`, { id })).json.data.customer).toBeNull();
    expect((await events('action:destroy AND subject_type:CUSTOMER')).map((e) => e.subjectId)).toEqual([id]);
    expect(await events('action:create')).toEqual([]);
  });
});
