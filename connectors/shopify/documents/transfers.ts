import { document, type Connection } from './define';

/**
 * Shopify's native inventory transfers (Stocky's successor from 2026-08-31). The schema has no `updatedAt` on a
 * transfer and no `updated_at` filter on `inventoryTransfers` (its filters: created_at, status, origin_id,
 * destination_id, id, tag), so extraction finds new transfers by `created_at` and re-reads open ones by id.
 */
export interface ShopifyLocationSnapshot {
  name: string;
  location: { id: string } | null;
}
export interface ShopifyTransferShipment {
  id: string;
  name: string;
  status: string;
  dateShipped: string | null;
  dateReceived: string | null;
  lineItems: Connection<ShopifyShipmentLine> | null;
}
export interface ShopifyShipmentLine {
  quantity: number;
  acceptedQuantity: number;
  rejectedQuantity: number;
  inventoryItem: { id: string; sku: string | null } | null;
}
export interface ShopifyTransferLine {
  totalQuantity: number;
  shippedQuantity: number;
  inventoryItem: { id: string; sku: string | null } | null;
}
export interface ShopifyTransferNode {
  id: string;
  name: string;
  referenceName: string | null;
  status: string;
  dateCreated: string | null;
  origin: ShopifyLocationSnapshot | null;
  destination: ShopifyLocationSnapshot | null;
  lineItems: Connection<ShopifyTransferLine>;
  shipments: Connection<ShopifyTransferShipment>;
}

const TRANSFER_FIELDS = `id name referenceName status dateCreated
      origin { name location { id } }
      destination { name location { id } }
      lineItems(first: 50) { nodes { totalQuantity shippedQuantity inventoryItem { id sku } } pageInfo { hasNextPage endCursor } }
      shipments(first: 5) { nodes { id name status dateShipped dateReceived } pageInfo { hasNextPage endCursor } }`;

/** Transfers created in a window (`query`), oldest first; 5 a page keeps a page near 600 points. */
export const TRANSFERS_PAGE = document<
  { inventoryTransfers: Connection<ShopifyTransferNode> },
  { first: number; after?: string | null; query: string }
>(
  'inventoryTransfersPage',
  `query inventoryTransfersPage($first: Int!, $after: String, $query: String!) {
  inventoryTransfers(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { ${TRANSFER_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`,
  600,
);

/** One transfer read again by id (an open one, to see it move on: shipped, received, canceled). */
export const TRANSFER_BY_ID = document<{ inventoryTransfer: ShopifyTransferNode | null }, { id: string }>(
  'inventoryTransferById',
  `query inventoryTransferById($id: ID!) { inventoryTransfer(id: $id) { ${TRANSFER_FIELDS} } }`,
  120,
);

/** The rest of a transfer's line items or shipments past the first page. */
export const TRANSFER_MORE = document<
  {
    inventoryTransfer: {
      lineItems: Connection<ShopifyTransferLine>;
      shipments: Connection<ShopifyTransferShipment>;
    } | null;
  },
  { id: string; linesAfter?: string | null; shipmentsAfter?: string | null }
>(
  'inventoryTransferMore',
  `query inventoryTransferMore($id: ID!, $linesAfter: String, $shipmentsAfter: String) {
  inventoryTransfer(id: $id) {
    lineItems(first: 100, after: $linesAfter) { nodes { totalQuantity shippedQuantity inventoryItem { id sku } } pageInfo { hasNextPage endCursor } }
    shipments(first: 20, after: $shipmentsAfter) { nodes { id name status dateShipped dateReceived } pageInfo { hasNextPage endCursor } }
  }
}`,
  330,
);

/** A shipment's lines with what was accepted and rejected on receipt. */
export const SHIPMENT_LINES = document<
  { inventoryShipment: { lineItems: Connection<ShopifyShipmentLine> | null } | null },
  { id: string; after?: string | null }
>(
  'inventoryShipmentLines',
  `query inventoryShipmentLines($id: ID!, $after: String) {
  inventoryShipment(id: $id) {
    lineItems(first: 100, after: $after) { nodes { quantity acceptedQuantity rejectedQuantity inventoryItem { id sku } } pageInfo { hasNextPage endCursor } }
  }
}`,
  205,
);
