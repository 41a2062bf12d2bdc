import { describe, expect, it } from 'vitest';
import { backfillChunks, BulkRowJoiner } from '../../../domain/extraction/shopify-backfill';

const order = (n: number, refunds = 0) => ({
  id: `gid://shopify/Order/${n}`,
  name: `#${n}`,
  createdAt: '2026-09-01T10:00:00Z',
  updatedAt: '2026-09-02T10:00:00Z',
  currencyCode: 'BBD',
  totalPriceSet: { shopMoney: { amount: '10.00' } },
  taxLines: [{ title: 'VAT', rate: 0.175, priceSet: { shopMoney: { amount: '1.49' } } }],
  refunds: Array.from({ length: refunds }, (_, i) => ({
    id: `gid://shopify/Refund/${n}${i}`,
    totalRefundedSet: { shopMoney: { amount: '1.00' } },
  })),
});
const line = (n: number, parent: number) => ({
  id: `gid://shopify/LineItem/${n}`,
  title: `Line ${n}`,
  quantity: 1,
  originalUnitPriceSet: { shopMoney: { amount: '2.00' } },
  __parentId: `gid://shopify/Order/${parent}`,
});
const tables = (rows: ReturnType<BulkRowJoiner['push']>) =>
  Object.fromEntries(rows.map((t) => [t.table.entity, t.rows]));

// Bulk results come ungrouped (bulkOperationRunQuery groupObjects: false, "Enabling grouping slows down bulk
// operations"), so a child line may come before its parent: it waits for the parent, then joins it by __parentId.
describe('backfill: bulk JSONL lines → lake rows', () => {
  it('joins line items to their order by __parentId, also when a line comes before its order', () => {
    const j = new BulkRowJoiner('orders');
    expect(j.push(line(11, 1))).toEqual([]); // its order is not there yet
    const first = tables(j.push(order(1, 1)));
    expect(first.orders).toHaveLength(1);
    expect(first.tax_lines).toHaveLength(1);
    expect(first.refunds).toHaveLength(1);
    expect(first.line_items).toEqual([
      expect.objectContaining({
        line_item_id: '11',
        order_id: '1',
        order_created_at: '2026-09-01T10:00:00Z',
        updated_at: '2026-09-02T10:00:00Z',
      }),
    ]);
    expect(tables(j.push(line(12, 1))).line_items).toHaveLength(1);
    expect(j.refunded).toEqual(['gid://shopify/Order/1']);
    expect(j.push(line(31, 3))).toEqual([]);
    expect(j.unmatched).toBe(1);
  });

  it('replaying the lines before a checkpoint without writing leaves the same waiting children', () => {
    const lines = [line(21, 2), order(1), line(11, 1), order(2), line(31, 3), order(3)];
    const all = new BulkRowJoiner('orders');
    const written = lines.map((l) => tables(all.push(l)).line_items?.length ?? 0);
    const resumed = new BulkRowJoiner('orders');
    for (const l of lines.slice(0, 5)) resumed.push(l, false);
    // Line 31 waited at the checkpoint: it is written with its order, once, after the resume.
    expect(tables(resumed.push(lines[5]!)).line_items).toHaveLength(1);
    expect(written).toEqual([0, 0, 1, 1, 0, 1]);
  });

  it('cuts a range into windows, the last one shorter', () => {
    expect(backfillChunks('2026-01-01T00:00:00.000Z', '2026-01-11T12:00:00.000Z', 5)).toEqual([
      { from: '2026-01-01T00:00:00.000Z', to: '2026-01-06T00:00:00.000Z' },
      { from: '2026-01-06T00:00:00.000Z', to: '2026-01-11T00:00:00.000Z' },
      { from: '2026-01-11T00:00:00.000Z', to: '2026-01-11T12:00:00.000Z' },
    ]);
  });
});
