import { describe, expect, it } from 'vitest';
import { fold } from '../../../domain/inventory/ledger';
import type { Movement } from '../../../domain/inventory/movements';
import { orderMovements, relocationMovements, type OrderStock } from '../../../domain/inventory/order-movements';

const order = (patch: Partial<OrderStock> = {}): OrderStock => ({
  shop: 'demo.myshopify.com',
  orderId: 7,
  createdAt: '2026-11-30T10:00:00.000Z',
  processedAt: '2026-11-30T10:00:00.000Z',
  cancelledAt: null,
  fulfillmentStatus: 'UNFULFILLED',
  lines: [{ id: 70, sku: 'S-1', quantity: 4 }],
  refunds: [],
  ...patch,
});
const refund = (
  id: number,
  quantity: number,
  restockType: OrderStock['refunds'][number]['lines'][number]['restockType'],
) => ({
  id,
  createdAt: '2026-11-30T11:00:00.000Z',
  lines: [
    {
      lineItemId: 70,
      quantity,
      restockType,
      locationId: restockType === 'NO_RESTOCK' ? null : 'gid://shopify/Location/2',
    },
  ],
});
const movementsOf = (o: OrderStock) =>
  orderMovements(
    o,
    () => 'C',
    () => true,
    (id) => (id === 'gid://shopify/Location/2' ? 'EM' : undefined),
  );
/** Levels after 10 counted at C and EM, then the order's movements. */
function levels(o: OrderStock) {
  const counts: Movement[] = ['C', 'EM'].map((location) => ({
    key: `count/${location}`,
    kind: 'count',
    sku: 'S-1',
    location,
    quantity: 10,
    occurredAt: '2026-11-30T09:00:00.000Z',
  }));
  const { state } = fold([...counts, ...movementsOf(o)]);
  return { C: state.level('S-1', 'C'), EM: state.level('S-1', 'EM') };
}

// RefundLineItemRestockType (admin 2026-10): CANCEL "Use this when restocking unfulfilled line items"; RETURN "Use this
// when restocking line items that were fulfilled"; NO_RESTOCK "Refund line item was not restocked".
describe('order movements by restock type', () => {
  it('a no_restock refund of an unfulfilled line releases nothing; its units leave with the fulfilment', () => {
    const refunded = order({ refunds: [refund(1, 1, 'NO_RESTOCK')] });
    expect(levels(refunded).C).toMatchObject({ onHand: 10, reserved: 4 });
    expect(movementsOf(refunded).map((m) => m.kind)).toEqual(['reserve']);
    expect(levels({ ...refunded, fulfillmentStatus: 'FULFILLED' }).C).toMatchObject({ onHand: 6, reserved: 0 });
  });

  it('cancel and legacy_restock release the units still reserved; the fulfilment ships the rest', () => {
    const o = order({ refunds: [refund(1, 1, 'CANCEL'), refund(2, 1, 'LEGACY_RESTOCK')] });
    expect(levels(o).C).toMatchObject({ onHand: 10, reserved: 2 });
    expect(levels({ ...o, fulfillmentStatus: 'FULFILLED' }).C).toMatchObject({ onHand: 8, reserved: 0 });
  });

  it('a return after fulfilment puts the units back at the restock location; a no_restock one moves nothing', () => {
    const shipped = order({ fulfillmentStatus: 'FULFILLED' });
    const returned = { ...shipped, refunds: [refund(1, 1, 'RETURN')] };
    expect(levels(returned)).toMatchObject({ C: { onHand: 6, reserved: 0 }, EM: { onHand: 11 } });
    // The fulfilment's content is the same before and after the return (its key is applied once).
    const fulfil = (o: OrderStock) => movementsOf(o).find((m) => m.key.endsWith('/fulfil'));
    expect(fulfil(returned)).toEqual(fulfil(shipped));
    const kept = { ...shipped, refunds: [refund(1, 1, 'NO_RESTOCK')] };
    expect(levels(kept)).toMatchObject({ C: { onHand: 6, reserved: 0 }, EM: { onHand: 10 } });
  });

  it('a cancellation releases what was not refunded without restock, and writes that off the shelf', () => {
    const o = order({ cancelledAt: '2026-11-30T12:00:00.000Z', refunds: [refund(1, 1, 'NO_RESTOCK')] });
    expect(levels(o).C).toMatchObject({ onHand: 9, reserved: 0 });
    const restocked = order({ cancelledAt: '2026-11-30T12:00:00.000Z', refunds: [refund(1, 4, 'CANCEL')] });
    expect(levels(restocked).C).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it('a refund line whose restock type the source did not give is read as not restocked', () => {
    expect(levels(order({ refunds: [refund(1, 2, null)] })).C).toMatchObject({ onHand: 10, reserved: 4 });
  });
});

// FulfillmentOrder.assignedLocation (admin 2026-10): "This is the location where the fulfillment is expected to happen."
describe('a reservation moved to the assigned location', () => {
  const line = { orderLineId: '70', orderId: '7', sku: 'S-1', location: 'C', open: 4 };
  const counts: Movement[] = ['C', 'EM'].map((location) => ({
    key: `count/${location}`,
    kind: 'count',
    sku: 'S-1',
    location,
    quantity: 10,
    occurredAt: '2026-11-30T09:00:00.000Z',
  }));

  it('holds the units at the new location only, once however often it is applied, and later movements follow it', () => {
    const o = order();
    const move = relocationMovements(o.shop, line, 'EM', o.createdAt);
    expect(move.map((m) => [m.kind, m.location])).toEqual([
      ['release', 'C'],
      ['reserve', 'EM'],
    ]);
    // Replayed, and the order re-read (its keys keep the first reserve's location, C).
    const { state, outcomes } = fold([...counts, ...movementsOf(o), ...move, ...move, ...movementsOf(o)]);
    expect(outcomes.filter((x) => x.status === 'duplicate')).toHaveLength(3);
    expect(state.level('S-1', 'C')).toMatchObject({ onHand: 10, reserved: 0 });
    expect(state.level('S-1', 'EM')).toMatchObject({ onHand: 10, reserved: 4 });
    expect(state.lines.get('shopify:70')).toMatchObject({ location: 'EM', open: 4 });
    // Fulfilled from where Shopify committed it: the units leave EM's shelf.
    const shipped = fold([
      ...counts,
      ...movementsOf(o),
      ...move,
      ...movementsOf(order({ fulfillmentStatus: 'FULFILLED' })),
    ]);
    expect(shipped.state.level('S-1', 'EM')).toMatchObject({ onHand: 6, reserved: 0 });
    expect(shipped.state.level('S-1', 'C')).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it('moves a line A -> B -> A -> B every time: a repeated move is keyed by how often it was made before', () => {
    const o = order();
    const toEm = relocationMovements(o.shop, line, 'EM', o.createdAt);
    const back = relocationMovements(o.shop, { ...line, location: 'EM' }, 'C', o.createdAt);
    const again = relocationMovements(o.shop, line, 'EM', o.createdAt, 1);
    expect(again.map((m) => m.key)).toEqual([
      'shopify/demo.myshopify.com/line/70/move/C/EM/1/release',
      'shopify/demo.myshopify.com/line/70/move/C/EM/1/reserve',
    ]);
    const { state } = fold([...counts, ...movementsOf(o), ...toEm, ...back, ...again]);
    expect(state.lines.get('shopify:70')).toMatchObject({ location: 'EM', open: 4 });
    expect(state.level('S-1', 'C')).toMatchObject({ reserved: 0 });
    expect(state.level('S-1', 'EM')).toMatchObject({ reserved: 4 });
    // The first move's key again (what the old keys did): a duplicate, and the line stays at C.
    const stale = fold([...counts, ...movementsOf(o), ...toEm, ...back, ...toEm]);
    expect(stale.state.lines.get('shopify:70')).toMatchObject({ location: 'C', open: 4 });
  });

  it('moves nothing for a line already there or holding nothing', () => {
    expect(relocationMovements('s', line, 'C', '2026-11-30T10:00:00.000Z')).toEqual([]);
    expect(relocationMovements('s', { ...line, open: 0 }, 'EM', '2026-11-30T10:00:00.000Z')).toEqual([]);
  });
});
