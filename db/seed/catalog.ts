import type { ProductInput } from '../pim/catalog-writes';
import { SUB_DEPARTMENTS } from './departments';
import { gtinCheckDigit, rng } from './random';

export { SUB_DEPARTMENTS };

const BRANDS = [
  'Pine Hill',
  'Bajan Best',
  'Island Choice',
  'Emerald Farms',
  'Carib Pantry',
  'Oistins Catch',
  'Sunset Foods',
  'Roberts',
  'Coral Reef',
];
const ADJECTIVES = ['Fresh', 'Organic', 'Local', 'Premium', 'Classic', 'Family', 'Select', 'Value', 'Golden', 'Island'];
export interface DemoStore {
  code: string;
  name: string;
  shopifyLocationName: string;
}

export const DEMO_STORES: readonly DemoStore[] = [
  { code: 'EMERALD', name: 'Emerald City', shopifyLocationName: 'Emerald City' },
  { code: 'C', name: 'Carlton', shopifyLocationName: 'Carlton' },
  { code: 'SUNSET', name: 'Sunset Crest', shopifyLocationName: 'Sunset Crest' },
  { code: 'OISTINS', name: 'Oistins', shopifyLocationName: 'Oistins' },
];

/** The stores for a list of codes: the chain's known stores by name, any other code named after itself. */
/**
 * The demo vendor's Vendor Central warehouses (the Amazon sandbox's `EM` and `C`) and the demo stores whose stock
 * each ships: `EM` is Emerald City's warehouse code, not a store code, so it is mapped explicitly.
 */
export const DEMO_VENDOR_WAREHOUSES = 'EM=EMERALD,C';

export function demoStores(codes?: readonly string[]): DemoStore[] {
  if (!codes) return [...DEMO_STORES];
  return codes.map(
    (code) => DEMO_STORES.find((s) => s.code === code) ?? { code, name: code, shopifyLocationName: code },
  );
}

/** The demo catalogue, generated lazily so a 50,000-product population never sits in memory at once. */
export function* demoProducts(
  count: number,
  seed = 42,
  firstId = 1,
  stores: readonly DemoStore[] = DEMO_STORES,
): Generator<ProductInput> {
  const r = rng(seed);
  for (let n = 0; n < count; n++) {
    const id = firstId + n;
    const dept = r.pick(SUB_DEPARTMENTS);
    const item = r.pick(dept.items);
    const brand = r.pick(BRANDS);
    const title = `${brand} ${r.pick(ADJECTIVES)} ${item}`;
    const variantCount = r.int(1, Math.min(4, dept.sizes.length));
    const sizes = dept.sizes.slice(0, variantCount);
    const base = r.int(150, 4500);
    const variants = sizes.map((size, i) => {
      const price = (base * (1 + i * 0.8)) / 100;
      const barcodeBody = `84${String(id).padStart(7, '0')}${String(i).padStart(2, '0')}${r.int(0, 9)}`.slice(0, 12);
      return {
        id: id * 10 + i,
        sku: `${dept.code.slice(0, 3)}-${String(id).padStart(6, '0')}-${i + 1}`,
        barcode: `${barcodeBody}${gtinCheckDigit(barcodeBody)}`,
        optionValues: [size],
        price: price.toFixed(2),
        compareAtPrice: r.chance(0.15) ? (price * 1.2).toFixed(2) : null,
        weight: String(r.int(50, 5000)),
        weightUnit: 'GRAMS',
      };
    });
    const wide = isWideProduct(id) ? wideVariants(id, seed, dept, base) : null;
    yield {
      id,
      handle: `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${id}`,
      title,
      descriptionHtml: `<p>${title}, from ${brand}. A ${dept.name.toLowerCase()} favourite across our Barbados stores.</p>`,
      vendor: brand,
      subDepartmentCode: dept.code,
      tags: [dept.department.toLowerCase(), dept.code.toLowerCase(), ...(r.chance(0.2) ? ['local'] : [])],
      options: wide ? ['Size', 'Variety'] : ['Size'],
      variants: wide ?? variants,
      images: [{ url: `https://cdn.example.com/products/${id}/main.jpg`, alt: title }],
      storeAttributes: stores
        .filter(() => r.chance(0.5))
        .flatMap((s) => [
          { storeCode: s.code, key: 'aisle', value: String(r.int(1, 24)) },
          { storeCode: s.code, key: 'local_name', value: item },
        ]),
    };
  }
}

// A few products come in dozens of variants (every size in 14 varieties, as a yogurt or juice range does), so
// paging of variants is exercised by every catalogue of more than 7 products.
const VARIETIES = [
  'Plain',
  'Vanilla',
  'Strawberry',
  'Mango',
  'Passion Fruit',
  'Guava',
  'Coconut',
  'Pineapple',
  'Sorrel',
  'Golden Apple',
  'Lime',
  'Cherry',
  'Banana',
  'Mixed Berry',
];
export const isWideProduct = (id: number) => id % 250 === 7;

function wideVariants(id: number, seed: number, dept: (typeof SUB_DEPARTMENTS)[number], base: number) {
  // Their own random stream: the draws of every other product stay as they were.
  const r = rng(seed * 7919 + id);
  return dept.sizes.flatMap((size, s) =>
    VARIETIES.map((variety, v) => {
      const i = s * VARIETIES.length + v;
      const price = (base * (1 + s * 0.8)) / 100;
      const barcodeBody = `85${String(id).padStart(7, '0')}${String(i).padStart(2, '0')}${r.int(0, 9)}`.slice(0, 12);
      return {
        // Outside the id * 10 + i range of ordinary products.
        id: 10_000_000_000 + id * 1000 + i,
        sku: `${dept.code.slice(0, 3)}-${String(id).padStart(6, '0')}-${s + 1}-${v + 1}`,
        barcode: `${barcodeBody}${gtinCheckDigit(barcodeBody)}`,
        optionValues: [size, variety],
        price: price.toFixed(2),
        compareAtPrice: r.chance(0.15) ? (price * 1.2).toFixed(2) : null,
        weight: String(r.int(50, 5000)),
        weightUnit: 'GRAMS',
      };
    }),
  );
}
