import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import { searchFilter } from '../search';
import { numericId, type ShopState } from '../state';
import type { SbLocationSnapshot, SbShipment, SbTransfer } from '../transfers';
import { inventoryItemView, locationView } from '../views';

type ListArgs = ConnectionArgs & { query?: string; sortKey?: string };

/**
 * inventoryTransfers' `query` filters, as the schema lists them (created_at, destination_id, id, origin_id, status,
 * tag, tag_not); status values are the enum in lower case (`status:"draft"`, the schema's example for shipments).
 * There is no updated_at filter and no updatedAt field: a changed transfer can only be found by reading it again.
 */
const transferFilter = (query: string | undefined) =>
  searchFilter<SbTransfer>(query, {
    created_at: (t) => t.dateCreated,
    id: (t) => numericId(t.id),
    origin_id: (t) => (t.origin ? numericId(t.origin.locationId) : null),
    destination_id: (t) => (t.destination ? numericId(t.destination.locationId) : null),
    status: (t) => t.status.toLowerCase(),
    tag: (t) => t.tags,
  });

export function transferResolvers(s: ShopState) {
  const snapshot = (snap: SbLocationSnapshot | null) => {
    if (!snap) return null;
    const live = s.locations.get(snap.locationId);
    // "If the original location is deleted, the snapshot data will still be available but the location link will be nil."
    return { name: snap.name, snapshottedAt: snap.snapshottedAt, location: live ? locationView(live, s) : null };
  };
  const item = (id: string) => {
    const i = s.inventoryItems.get(id);
    return i ? inventoryItemView(i, s) : null;
  };

  function shipmentView(sh: SbShipment) {
    const sum = (f: (l: SbShipment['lineItems'][number]) => number) => sh.lineItems.reduce((n, l) => n + f(l), 0);
    return {
      id: sh.id,
      name: sh.name,
      barcode: null,
      status: sh.status,
      dateCreated: sh.dateCreated,
      dateShipped: sh.dateShipped,
      dateReceived: sh.dateReceived,
      lineItemTotalQuantity: sum((l) => l.quantity),
      totalAcceptedQuantity: sum((l) => l.acceptedQuantity),
      // "The total quantity of items received (both accepted and rejected) across all line items in this shipment."
      totalReceivedQuantity: sum((l) => l.acceptedQuantity + l.rejectedQuantity),
      totalRejectedQuantity: sum((l) => l.rejectedQuantity),
      lineItems: (a: ConnectionArgs, ctx: SandboxContext) =>
        connection(
          sh.lineItems.map((l) => ({
            id: l.id,
            quantity: l.quantity,
            acceptedQuantity: l.acceptedQuantity,
            rejectedQuantity: l.rejectedQuantity,
            unreceivedQuantity: l.quantity - l.acceptedQuantity - l.rejectedQuantity,
            inventoryItem: () => item(l.inventoryItemId),
          })),
          a,
          ctx,
        ),
    };
  }

  function transferView(t: SbTransfer) {
    const shipments = t.shipmentIds.map((id) => s.shipments.get(id)!);
    const shippable = t.status === 'READY_TO_SHIP' || t.status === 'IN_PROGRESS';
    return {
      id: t.id,
      name: t.name,
      referenceName: t.referenceName,
      note: t.note,
      tags: t.tags,
      status: t.status,
      dateCreated: t.dateCreated,
      hasTimelineComment: false,
      origin: snapshot(t.origin),
      destination: snapshot(t.destination),
      totalQuantity: t.lineItems.reduce((n, l) => n + l.totalQuantity, 0),
      receivedQuantity: shipments.reduce(
        (n, sh) => n + sh.lineItems.reduce((m, l) => m + l.acceptedQuantity + l.rejectedQuantity, 0),
        0,
      ),
      lineItems: (a: ConnectionArgs, ctx: SandboxContext) =>
        connection(
          t.lineItems.map((l) => ({
            id: l.id,
            title: l.title,
            totalQuantity: l.totalQuantity,
            shippedQuantity: l.shippedQuantity,
            pickedForShipmentQuantity: 0,
            processableQuantity: t.status === 'CANCELED' ? 0 : l.totalQuantity - l.shippedQuantity,
            shippableQuantity: shippable ? l.totalQuantity - l.shippedQuantity : 0,
            inventoryItem: () => item(l.inventoryItemId),
          })),
          a,
          ctx,
        ),
      shipments: (a: ConnectionArgs, ctx: SandboxContext) => connection(shipments.map(shipmentView), a, ctx),
    };
  }

  return {
    query: {
      inventoryTransfer: ({ id }: { id: string }) => {
        const t = s.transfers.get(id);
        return t ? transferView(t) : null;
      },
      inventoryShipment: ({ id }: { id: string }) => {
        const sh = s.shipments.get(id);
        return sh ? shipmentView(sh) : null;
      },
      inventoryTransfers: (a: ListArgs, ctx: SandboxContext) => {
        const list = [...s.transfers.values()].filter(transferFilter(a.query));
        const key: (t: SbTransfer) => string =
          a.sortKey === 'CREATED_AT'
            ? (t) => t.dateCreated
            : a.sortKey === 'NAME'
              ? (t) => t.name
              : a.sortKey === 'STATUS'
                ? (t) => t.status
                : () => '';
        list.sort((x, y) => key(x).localeCompare(key(y)) || numericId(x.id) - numericId(y.id));
        return connection(list.map(transferView), a, ctx);
      },
    },
  };
}
