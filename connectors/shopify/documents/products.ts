import { document, type Connection, type UserError } from './define';

export interface ProductSnapshot {
  id: string;
  handle: string;
  title: string;
  status: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  updatedAt: string;
  pimId: { value: string } | null;
  /** One page of variants: `pageInfo.hasNextPage` says more follow (productSet's answer is completed by paging). */
  variants: Connection<ProductVariantSnapshot>;
}
export interface ProductVariantSnapshot {
  id: string;
  sku: string | null;
  price: string;
  inventoryItem: { id: string };
}

const VARIANT_FIELDS = 'id sku price inventoryItem { id }';
// A product has up to 2,048 variants and a connection page at most 250: callers page the rest
// (PRODUCT_VARIANTS_PAGE). `first` is a variable so a request costs what the product needs.
const productFields = (variantsFirst: string) => `id handle title status updatedAt
  pimId: metafield(namespace: "backbone", key: "pim_id") { value }
  variants(first: ${variantsFirst}) { nodes { ${VARIANT_FIELDS} } pageInfo { hasNextPage endCursor } }`;
const PRODUCT_FIELDS = productFields('$variantsFirst');
/** A connection page holds at most 250 nodes. */
export const MAX_PAGE = 250;
/** Variants per product in a catalogue page: the drift check compares this prefix (the full list costs too much). */
export const PAGE_VARIANTS = 10;

/** The ProductSetInput fields the project uses; the rest of Shopify's input passes through untyped. */
export interface ProductSetInput {
  title?: string;
  handle?: string;
  descriptionHtml?: string;
  vendor?: string;
  productType?: string;
  status?: 'ACTIVE' | 'ARCHIVED' | 'DRAFT';
  tags?: string[];
  productOptions?: { name: string; values: { name: string }[] }[];
  variants?: {
    sku?: string;
    price?: string;
    compareAtPrice?: string | null;
    barcode?: string | null;
    optionValues: { optionName: string; name: string }[];
    [field: string]: unknown;
  }[];
  metafields?: { namespace: string; key: string; type: string; value: string }[];
  [field: string]: unknown;
}

export type ProductIdentifier =
  { customId: { namespace: string; key: string; value: string } } | { handle: string } | { id: string };

export interface ProductSetVariables {
  identifier: ProductIdentifier;
  input: ProductSetInput;
  variantsFirst: number;
}

export const PRODUCT_SET = document<
  { productSet: { product: ProductSnapshot | null; userErrors: UserError[] } },
  ProductSetVariables
>(
  'productSet',
  `mutation productSet($identifier: ProductSetIdentifiers, $input: ProductSetInput!, $variantsFirst: Int!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { ${PRODUCT_FIELDS} }
    userErrors { field message code }
  }
}`,
  12,
);

/** The bulk-mutation form of productSet: one JSONL line of variables per product. */
export const PRODUCT_SET_BULK = `mutation call($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id variants(first: 250) { nodes { id sku inventoryItem { id } } pageInfo { hasNextPage endCursor } } }
    userErrors { field message code }
  }
}`;

export const PRODUCT_BY_IDENTIFIER = document<
  { productByIdentifier: ProductSnapshot | null },
  { identifier: ProductSetVariables['identifier']; variantsFirst: number }
>(
  'productByIdentifier',
  `query productByIdentifier($identifier: ProductIdentifierInput!, $variantsFirst: Int!) {
  productByIdentifier(identifier: $identifier) { ${PRODUCT_FIELDS} }
}`,
  25,
);

export const PRODUCTS_PAGE = document<
  { products: Connection<ProductSnapshot> },
  { first: number; after?: string | null; query?: string }
>(
  'productsPage',
  `query productsPage($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: ID) {
    nodes { ${productFields(String(PAGE_VARIANTS))} }
    pageInfo { hasNextPage endCursor }
  }
}`,
  962,
);

export const PRODUCT_VARIANTS_PAGE = document<
  { product: { variants: Connection<ProductVariantSnapshot> } | null },
  { id: string; first: number; after: string | null }
>(
  'productVariantsPage',
  `query productVariantsPage($id: ID!, $first: Int!, $after: String) {
  product(id: $id) { variants(first: $first, after: $after) { nodes { ${VARIANT_FIELDS} } pageInfo { hasNextPage endCursor } } }
}`,
  504,
);

export const PRODUCT_ARCHIVE = document<
  { productUpdate: { product: { id: string; status: string } | null; userErrors: UserError[] } },
  { id: string }
>(
  'productArchive',
  `mutation productArchive($id: ID!) {
  productUpdate(product: { id: $id, status: ARCHIVED }) { product { id status } userErrors { field message } }
}`,
  10,
);

export const METAFIELD_DEFINITION_CREATE = document<
  { metafieldDefinitionCreate: { createdDefinition: { id: string } | null; userErrors: UserError[] } },
  { namespace: string; key: string; name: string }
>(
  'metafieldDefinitionCreate',
  `mutation metafieldDefinitionCreate($namespace: String!, $key: String!, $name: String!) {
  metafieldDefinitionCreate(definition: { namespace: $namespace, key: $key, name: $name, type: "single_line_text_field", ownerType: PRODUCT, capabilities: { uniqueValues: { enabled: true } } }) {
    createdDefinition { id }
    userErrors { field message code }
  }
}`,
  10,
);

export const LOCATIONS = document<
  {
    locations: Connection<{ id: string; name: string; isActive: boolean; address: { address1: string | null } | null }>;
  },
  { first: number; after?: string | null }
>(
  'locations',
  `query locations($first: Int!, $after: String) {
  locations(first: $first, after: $after) { nodes { id name isActive address { address1 } } pageInfo { hasNextPage endCursor } }
}`,
  52,
);
