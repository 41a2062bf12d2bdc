import { describe, expect, it } from 'vitest';
import { amazonOrderMovements, unreadSold } from '../../../domain/channels/amazon-orders';

const order = (status: string) => ({
  orderId: '113-1',
  createdTime: '2026-12-01T10:00:00Z',
  lastUpdatedTime: '2026-12-01T11:00:00Z',
  fulfillment: { fulfillmentStatus: status },
  orderItems: [
    { orderItemId: 'OI-1', quantityOrdered: 2, product: { sellerSku: '4006381333931' } },
    { orderItemId: 'OI-2', quantityOrdered: 1, product: {} },
  ],
});

describe('Amazon order → ledger movements', () => {
  it('reserves each line keyed by order item; lines without our SKU move nothing', () => {
    const m = amazonOrderMovements('S1', order('UNSHIPPED'), 'C');
    expect(m).toEqual([
      expect.objectContaining({
        key: 'amazon/S1/line/OI-1/reserve',
        kind: 'reserve',
        sku: '4006381333931',
        quantity: 2,
        channel: 'amazon',
        orderLineId: 'OI-1',
        location: 'C',
      }),
    ]);
  });
  it('a cancelled order releases and a shipped one fulfils, under keys of their own', () => {
    expect(amazonOrderMovements('S1', order('CANCELLED'), 'C').map((x) => x.key)).toEqual([
      'amazon/S1/line/OI-1/reserve',
      'amazon/S1/line/OI-1/release',
    ]);
    expect(amazonOrderMovements('S1', order('SHIPPED'), 'C').map((x) => x.kind)).toEqual(['reserve', 'fulfil']);
  });
});

describe('unreadSold (Amazon decrements not yet read as orders)', () => {
  it('counts what Amazon took since our confirmed quantity beyond the orders the ledger has read', () => {
    expect(unreadSold({ confirmed: 10, shown: 7, readSince: 0 })).toBe(3);
    expect(unreadSold({ confirmed: 10, shown: 7, readSince: 3 })).toBe(0);
    expect(unreadSold({ confirmed: 10, shown: 12, readSince: 0 })).toBe(0);
    expect(unreadSold({ confirmed: 10, shown: undefined, readSince: 0 })).toBe(0);
  });
});
