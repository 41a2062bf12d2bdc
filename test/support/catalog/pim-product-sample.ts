import type { PimProduct } from '../../../domain/catalog/pim-product';

/** A valid two-variant PIM product for pure tests; each call returns a fresh copy to mutate. */
export function sampleProduct(overrides: Partial<PimProduct> = {}): PimProduct {
  return {
    id: 42,
    handle: 'fresh-milk',
    title: 'Fresh milk',
    descriptionHtml: '<p>Whole milk</p>',
    vendor: 'Pine Hill',
    subDepartment: { code: 'DAIRY', name: 'Dairy' },
    tags: ['local', 'chilled'],
    options: ['Size'],
    status: 'ACTIVE',
    variants: [
      {
        sku: 'MILK-1L',
        barcode: '4006381333931',
        optionValues: ['1 L'],
        price: '3.50',
        compareAtPrice: '3.99',
        weight: '1030',
        weightUnit: 'grams',
      },
      {
        sku: 'MILK-2L',
        barcode: null,
        optionValues: ['2 L'],
        price: '6.25',
        compareAtPrice: null,
        weight: null,
        weightUnit: 'grams',
      },
    ],
    images: [{ url: 'https://cdn.example.com/milk.jpg', alt: 'A bottle' }],
    storeAttributes: [
      { storeCode: 'EMERALD', key: 'aisle', value: '4' },
      { storeCode: 'C', key: 'aisle', value: '7' },
    ],
    ...overrides,
  };
}
