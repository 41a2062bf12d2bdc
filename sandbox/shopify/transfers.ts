import { setQuantity } from './inventory-levels';
import type { SbInventoryItem, ShopState } from './state';

/**
 * Shopify's native inventory transfers and their shipments (Stocky's successor), as the merchant drives them in the
 * admin: create → (ready to ship) → ship one or more shipments → receive each, or cancel. The steps are the
 * sandbox's own (POST /_sandbox/transfers…), like the storefront simulator's orders; the read side is the schema's
 * (inventoryTransfers, inventoryTransfer, inventoryShipment). Statuses, schema 2026-10:
 *   InventoryTransferStatus DRAFT "created but not yet finalized", READY_TO_SHIP "created, but not yet shipped",
 *   IN_PROGRESS "with a shipment currently underway or received", TRANSFERRED "completely received at the
 *   destination", CANCELED; InventoryShipmentStatus IN_TRANSIT, PARTIALLY_RECEIVED, RECEIVED.
 * Shipping takes the units off the origin's on_hand and counts them `incoming` at the destination; receiving moves
 * accepted units into the destination's on_hand (rejected ones leave `incoming` and go nowhere).
 */
export type SbTransferStatus = 'DRAFT' | 'READY_TO_SHIP' | 'IN_PROGRESS' | 'TRANSFERRED' | 'CANCELED';
export type SbShipmentStatus = 'DRAFT' | 'IN_TRANSIT' | 'PARTIALLY_RECEIVED' | 'RECEIVED';

export interface SbLocationSnapshot {
  locationId: string;
  name: string;
  snapshottedAt: string;
}
export interface SbTransferLine {
  id: string;
  inventoryItemId: string;
  title: string | null;
  totalQuantity: number;
  shippedQuantity: number;
}
export interface SbShipmentLine {
  id: string;
  inventoryItemId: string;
  quantity: number;
  acceptedQuantity: number;
  rejectedQuantity: number;
}
export interface SbShipment {
  id: string;
  name: string;
  transferId: string;
  status: SbShipmentStatus;
  dateCreated: string;
  dateShipped: string | null;
  dateReceived: string | null;
  lineItems: SbShipmentLine[];
}
export interface SbTransfer {
  id: string;
  name: string;
  referenceName: string | null;
  note: string | null;
  tags: string[];
  status: SbTransferStatus;
  dateCreated: string;
  origin: SbLocationSnapshot | null;
  destination: SbLocationSnapshot | null;
  lineItems: SbTransferLine[];
  shipmentIds: string[];
}

export class TransferError extends Error {
  constructor(
    message: string,
    readonly status = 422,
  ) {
    super(message);
  }
}

export interface CreateTransferInput {
  /** Location codes or names (or gids). */
  origin?: string | null;
  destination?: string | null;
  lines: { sku?: string; inventoryItemId?: string; quantity: number }[];
  referenceName?: string | null;
  note?: string | null;
  tags?: string[];
  readyToShip?: boolean;
  at?: string;
}

export class TransferDesk {
  /** The last transfer number handed out; read from the kept transfers after a restart, so none is reused. */
  private number: number | undefined;

  constructor(private readonly s: ShopState) {}

  private location(ref: string | null | undefined, at: string): SbLocationSnapshot | null {
    if (ref == null) return null;
    const l = [...this.s.locations.values()].find((x) => x.id === ref || x.code === ref || x.name === ref);
    if (!l) throw new TransferError(`no location ${ref}`);
    return { locationId: l.id, name: l.name, snapshottedAt: at };
  }

  private item(line: { sku?: string; inventoryItemId?: string }): SbInventoryItem {
    const item = line.inventoryItemId
      ? this.s.inventoryItems.get(line.inventoryItemId)
      : [...this.s.inventoryItems.values()].find((i) => i.sku === line.sku);
    if (!item) throw new TransferError(`no inventory item ${line.inventoryItemId ?? line.sku}`);
    return item;
  }

  create(input: CreateTransferInput): SbTransfer {
    const at = input.at ?? new Date().toISOString();
    // The changelog of 2026-01: origin or destination may be left out, but not both.
    if (input.origin == null && input.destination == null)
      throw new TransferError('a transfer needs an origin or a destination location');
    if (!input.lines.length) throw new TransferError('a transfer needs at least one line item');
    const origin = this.location(input.origin, at);
    const destination = this.location(input.destination, at);
    const lines = input.lines.map((l) => {
      if (!Number.isInteger(l.quantity) || l.quantity <= 0)
        throw new TransferError(`quantity must be a positive whole number, got ${l.quantity}`);
      const item = this.item(l);
      const title = item.sku ? (this.s.variant(item.variantId)?.product.title ?? null) : null;
      return {
        id: this.s.gid('InventoryTransferLineItem'),
        inventoryItemId: item.id,
        title,
        totalQuantity: l.quantity,
        shippedQuantity: 0,
      };
    });
    const t: SbTransfer = {
      id: this.s.gid('InventoryTransfer'),
      name: `#T${String(this.nextNumber()).padStart(4, '0')}`,
      referenceName: input.referenceName ?? null,
      note: input.note ?? null,
      tags: input.tags ?? [],
      status: input.readyToShip ? 'READY_TO_SHIP' : 'DRAFT',
      dateCreated: at,
      origin,
      destination,
      lineItems: lines,
      shipmentIds: [],
    };
    this.s.transfers.set(t.id, t);
    return t;
  }

  private nextNumber(): number {
    this.number ??= Math.max(0, ...[...this.s.transfers.values()].map((t) => Number(t.name.slice(2)) || 0));
    return ++this.number;
  }

  private get(id: string): SbTransfer {
    const t = this.s.transfers.get(id);
    if (!t) throw new TransferError(`no transfer ${id}`, 404);
    return t;
  }

  markReadyToShip(id: string): SbTransfer {
    const t = this.get(id);
    if (t.status !== 'DRAFT') throw new TransferError(`transfer ${t.name} is ${t.status}, not DRAFT`);
    t.status = 'READY_TO_SHIP';
    return t;
  }

  /** Ships the given units (default: every unit not yet shipped) in one new shipment. */
  ship(id: string, opts: { at?: string; lines?: { sku: string; quantity: number }[] } = {}): SbShipment {
    const t = this.get(id);
    if (t.status === 'DRAFT' || t.status === 'CANCELED' || t.status === 'TRANSFERRED')
      throw new TransferError(`transfer ${t.name} is ${t.status}: it cannot be shipped`);
    const at = opts.at ?? new Date().toISOString();
    const wanted = opts.lines
      ? opts.lines.map((l) => ({
          line: t.lineItems.find((x) => x.inventoryItemId === this.item(l).id),
          qty: l.quantity,
        }))
      : t.lineItems.map((line) => ({ line, qty: line.totalQuantity - line.shippedQuantity }));
    const lines: SbShipmentLine[] = [];
    for (const { line, qty } of wanted) {
      if (!line) throw new TransferError('a shipment line names an item the transfer does not hold');
      if (qty <= 0) continue;
      if (qty > line.totalQuantity - line.shippedQuantity)
        throw new TransferError(`cannot ship ${qty}: only ${line.totalQuantity - line.shippedQuantity} left to ship`);
      line.shippedQuantity += qty;
      lines.push({
        id: this.s.gid('InventoryShipmentLineItem'),
        inventoryItemId: line.inventoryItemId,
        quantity: qty,
        acceptedQuantity: 0,
        rejectedQuantity: 0,
      });
      this.adjust(line.inventoryItemId, t.origin?.locationId, 'on_hand', -qty);
      this.adjust(line.inventoryItemId, t.destination?.locationId, 'incoming', qty);
    }
    if (!lines.length) throw new TransferError(`transfer ${t.name} has nothing left to ship`);
    const sh: SbShipment = {
      id: this.s.gid('InventoryShipment'),
      name: `${t.name}-${t.shipmentIds.length + 1}`,
      transferId: t.id,
      status: 'IN_TRANSIT',
      dateCreated: at,
      dateShipped: at,
      dateReceived: null,
      lineItems: lines,
    };
    this.s.shipments.set(sh.id, sh);
    t.shipmentIds.push(sh.id);
    t.status = 'IN_PROGRESS';
    return sh;
  }

  /** Receives a shipment: every unreceived unit accepted, unless `lines` says how many of a SKU were rejected. */
  receive(
    shipmentId: string,
    opts: { at?: string; lines?: { sku: string; accepted: number; rejected?: number }[] } = {},
  ) {
    const sh = this.s.shipments.get(shipmentId);
    if (!sh) throw new TransferError(`no shipment ${shipmentId}`, 404);
    if (sh.status === 'RECEIVED') throw new TransferError(`shipment ${sh.name} is already received`);
    const t = this.get(sh.transferId);
    const at = opts.at ?? new Date().toISOString();
    for (const line of sh.lineItems) {
      const unreceived = line.quantity - line.acceptedQuantity - line.rejectedQuantity;
      const given = opts.lines?.find((l) => this.item(l).id === line.inventoryItemId);
      const accepted = given ? given.accepted : opts.lines ? 0 : unreceived;
      const rejected = given?.rejected ?? 0;
      if (accepted < 0 || rejected < 0 || accepted + rejected > unreceived)
        throw new TransferError(`cannot receive ${accepted + rejected}: ${unreceived} unreceived`);
      line.acceptedQuantity += accepted;
      line.rejectedQuantity += rejected;
      this.adjust(line.inventoryItemId, t.destination?.locationId, 'incoming', -(accepted + rejected));
      this.adjust(line.inventoryItemId, t.destination?.locationId, 'on_hand', accepted);
    }
    // "The date the shipment was initially received in UTC."
    sh.dateReceived ??= at;
    const done = sh.lineItems.every((l) => l.acceptedQuantity + l.rejectedQuantity === l.quantity);
    sh.status = done ? 'RECEIVED' : 'PARTIALLY_RECEIVED';
    const allShipped = t.lineItems.every((l) => l.shippedQuantity === l.totalQuantity);
    const allReceived = t.shipmentIds.every((id) => this.s.shipments.get(id)!.status === 'RECEIVED');
    if (allShipped && allReceived) t.status = 'TRANSFERRED';
    return sh;
  }

  cancel(id: string): SbTransfer {
    const t = this.get(id);
    if (t.shipmentIds.length) throw new TransferError(`transfer ${t.name} has shipments: it cannot be canceled`);
    t.status = 'CANCELED';
    return t;
  }

  private adjust(itemId: string, locationId: string | undefined, name: 'on_hand' | 'incoming', delta: number) {
    const level = locationId ? this.s.inventoryItems.get(itemId)?.levels.get(locationId) : undefined;
    if (!level) return; // Not stocked there: Shopify would stock it on receipt; the sandbox leaves levels alone.
    if (name === 'on_hand') setQuantity(level, 'on_hand', (level.get('on_hand') ?? 0) + delta);
    else level.set(name, (level.get(name) ?? 0) + delta);
  }
}
