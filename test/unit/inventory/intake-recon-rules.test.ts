import { describe, expect, it } from 'vitest';
import { planIntake, validateStoreProducts, type StoreProductRow } from '../../../domain/inventory/intake';
import { reconcileKey, type ReconInput } from '../../../domain/inventory/recon';

const row = (over: Partial<StoreProductRow>): StoreProductRow => ({
  storeCode: 'C',
  posSku: 'C-BAK-000001-1',
  sku: 'BAK-000001-1',
  barcode: '8400000000017',
  shelfPrice: '4.50',
  ...over,
});

describe('store intake rules', () => {
  it('rejects both POS items of a SKU that differ, keeps the first of identical ones', () => {
    const v = validateStoreProducts([
      row({ posSku: 'C-1' }),
      row({ posSku: 'C-2', shelfPrice: '4.5' }),
      row({ posSku: 'C-3', sku: 'BAK-000002-1', shelfPrice: '1.00' }),
      row({ posSku: 'C-4', sku: 'BAK-000002-1', shelfPrice: '1.10' }),
    ]);
    expect(v.good.map((g) => g.posSku)).toEqual(['C-1']);
    expect(v.duplicates).toEqual([{ row: expect.objectContaining({ posSku: 'C-2' }), of: 'C-1' }]);
    expect(v.rejected.map((r) => [r.row.posSku, r.code])).toEqual([
      ['C-3', 'DUPLICATE_CONFLICT'],
      ['C-4', 'DUPLICATE_CONFLICT'],
    ]);
  });

  it('does not create a draft for a new SKU whose barcode the PIM has under another SKU', () => {
    const plan = planIntake(
      [row({ sku: 'BAK-000009-1' })],
      [],
      new Map(),
      new Map([['8400000000017', { sku: 'BAK-000001-1', productId: 1 }]]),
    );
    expect(plan.drafts).toEqual([]);
    expect(plan.diff[0]).toMatchObject({ status: 'conflicting', productId: 1 });
    expect(plan.diff[0]!.reason).toContain('belongs to PIM SKU BAK-000001-1');
  });

  it('compares shelf prices as amounts and writes only the keys that changed', () => {
    const pim = new Map([
      [
        'BAK-000001-1',
        {
          productId: 1,
          sku: 'BAK-000001-1',
          barcode: '8400000000017',
          deleted: false,
          attributes: { 'shelf_price.BAK-000001-1': '4.50', 'pos_sku.BAK-000001-1': 'C-OLD', aisle: '3' },
        },
      ],
    ]);
    const plan = planIntake([row({ shelfPrice: '4.5' })], [], pim, new Map());
    expect(plan.attributeUpdates).toEqual([{ productId: 1, set: { 'pos_sku.BAK-000001-1': 'C-BAK-000001-1' } }]);
    expect(plan.diff[0]).toMatchObject({ status: 'changed', reason: 'pos_sku C-OLD → C-BAK-000001-1' });
  });
});

const base = (over: Partial<ReconInput>): ReconInput => ({
  sku: 'BAK-000001-1',
  location: 'C',
  knownSku: true,
  mappedLocation: true,
  published: true,
  shelfPrice: 2.5,
  ...over,
});
const ledger = (onHand: number, lastMovementAt = '2026-11-30T10:00:00.000Z') => ({
  onHand,
  reserved: 0,
  shopifyReserved: 0,
  safetyStock: 0,
  lastMovementAt,
});

describe('stock reconciliation rules', () => {
  it('agrees when the three views agree, and when an unstocked item has nothing to offer', () => {
    const store = { onHand: 5, updatedAt: '2026-11-30T09:00:00.000Z' };
    const shopify = { onHand: 5, available: 5, committed: 0 };
    expect(reconcileKey(base({ store, ledger: ledger(5), shopify }))).toBeNull();
    expect(reconcileKey(base({ store: { ...store, onHand: 0 }, ledger: ledger(0) }))).toBeNull();
  });

  it('lets the ledger follow only a store count newer than its last movement', () => {
    const newer = reconcileKey(
      base({
        store: { onHand: 8, updatedAt: '2026-11-30T11:00:00.000Z' },
        ledger: ledger(5),
        shopify: { onHand: 5, available: 5, committed: 0 },
      }),
    )!;
    expect(newer.classes).toEqual(['ledger-behind-store', 'shopify-drifted']);
    expect(newer.correction).toEqual({ ledgerCountTo: 8, shopifyOnHandTo: 8, shopifyFrom: 5 });
    expect(newer).toMatchObject({ units: 3, value: 7.5 });
    const older = reconcileKey(
      base({
        store: { onHand: 8, updatedAt: '2026-11-30T09:00:00.000Z' },
        ledger: ledger(5),
        shopify: { onHand: 5, available: 5, committed: 0 },
      }),
    )!;
    expect(older.classes).toEqual(['store-behind-ledger']);
    expect(older.correction).toBeUndefined();
  });

  it("keeps Shopify's committed units on top of what the ledger offers (no double count)", () => {
    // The ledger holds the order's 2 units as reserved; Shopify has them committed: on_hand stays 10.
    const d = reconcileKey(
      base({
        ledger: { ...ledger(10), reserved: 2, shopifyReserved: 2 },
        shopify: { onHand: 10, available: 8, committed: 2 },
      }),
    );
    expect(d).toBeNull();
  });

  it("compares Shopify with the location's share of Shopify's allocation, not with everything the ledger has", () => {
    // The ledger could offer 10 here; the allocation rules give Shopify 4 at this location (Amazon has the rest).
    const capped = base({ ledger: ledger(10), shopify: { onHand: 6, available: 4, committed: 2 }, shopifyShare: 4 });
    expect(reconcileKey(capped)).toBeNull();
    expect(reconcileKey({ ...capped, shopify: { onHand: 12, available: 10, committed: 2 } })).toMatchObject({
      classes: ['shopify-drifted'],
      correction: { shopifyOnHandTo: 6, shopifyFrom: 12 },
    });
  });

  it('reports unknown SKUs and unmapped locations without a correction', () => {
    expect(reconcileKey(base({ knownSku: false, store: { onHand: 4, updatedAt: 'x' } }))).toMatchObject({
      classes: ['unknown-sku'],
      units: 4,
    });
    const unmapped = reconcileKey(
      base({ mappedLocation: false, store: { onHand: 4, updatedAt: '2026-11-30T09:00:00.000Z' }, ledger: ledger(4) }),
    )!;
    expect(unmapped.classes).toEqual(['unmapped-location']);
    expect(unmapped.correction).toBeUndefined();
  });
});
