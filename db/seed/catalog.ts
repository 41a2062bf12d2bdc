import type { ProductInput } from '../pim/catalog-writes';
import { gtinCheckDigit, rng } from './random';

export const SUB_DEPARTMENTS = [
  {
    code: 'PRODUCE',
    name: 'Fresh Produce',
    department: 'Fresh',
    items: [
      'Plantain',
      'Breadfruit',
      'Christophene',
      'Sweet Potato',
      'Pumpkin',
      'Cucumber',
      'Tomato',
      'Lettuce',
      'Mango',
      'Pawpaw',
      'Banana',
      'Lime',
      'Golden Apple',
      'Eddoes',
      'Okra',
    ],
    sizes: ['1 lb', '2 lb', '5 lb'],
  },
  {
    code: 'DAIRY',
    name: 'Dairy & Eggs',
    department: 'Chilled',
    items: [
      'Whole Milk',
      'Low Fat Milk',
      'Cheddar Cheese',
      'Greek Yogurt',
      'Butter',
      'Large Eggs',
      'Cream Cheese',
      'Evaporated Milk',
    ],
    sizes: ['250 ml', '500 ml', '1 L', '2 L'],
  },
  {
    code: 'BAKERY',
    name: 'Bakery',
    department: 'Fresh',
    items: [
      'Salt Bread',
      'Coconut Bread',
      'Sweet Bread',
      'Whole Wheat Loaf',
      'Turnovers',
      'Cassava Pone',
      'Dinner Rolls',
    ],
    sizes: ['single', '6 pack', '12 pack'],
  },
  {
    code: 'BEVERAGES',
    name: 'Beverages',
    department: 'Grocery',
    items: [
      'Mauby',
      'Sorrel Drink',
      'Ginger Beer',
      'Coconut Water',
      'Orange Juice',
      'Bottled Water',
      'Malt Drink',
      'Iced Tea',
    ],
    sizes: ['330 ml', '500 ml', '1 L', '2 L'],
  },
  {
    code: 'FROZEN',
    name: 'Frozen Foods',
    department: 'Frozen',
    items: [
      'Flying Fish Fillets',
      'Chicken Wings',
      'Mixed Vegetables',
      'Ice Cream',
      'Fish Cakes',
      'Beef Patties',
      'Shrimp',
    ],
    sizes: ['500 g', '1 kg', '2 kg'],
  },
  {
    code: 'PANTRY',
    name: 'Pantry',
    department: 'Grocery',
    items: [
      'Parboiled Rice',
      'Pepper Sauce',
      'Split Peas',
      'Cornmeal',
      'Flour',
      'Brown Sugar',
      'Curry Powder',
      'Coconut Milk',
      'Pigeon Peas',
      'Pasta',
    ],
    sizes: ['400 g', '1 kg', '2 kg', '5 kg'],
  },
  {
    code: 'MEAT',
    name: 'Meat & Seafood',
    department: 'Fresh',
    items: ['Chicken Breast', 'Pork Chops', 'Minced Beef', 'Lamb Shoulder', 'Salt Fish', 'Dolphin Steak', 'Kingfish'],
    sizes: ['500 g', '1 kg'],
  },
  {
    code: 'HOUSEHOLD',
    name: 'Household',
    department: 'Non-food',
    items: ['Dish Soap', 'Laundry Detergent', 'Paper Towels', 'Bleach', 'Garbage Bags', 'Toilet Tissue', 'Sponges'],
    sizes: ['single', '4 pack', '12 pack'],
  },
  {
    code: 'PERSONAL',
    name: 'Personal Care',
    department: 'Non-food',
    items: ['Shampoo', 'Toothpaste', 'Body Wash', 'Deodorant', 'Sunscreen', 'Lotion'],
    sizes: ['100 ml', '250 ml', '500 ml'],
  },
  {
    code: 'SNACKS',
    name: 'Snacks & Confectionery',
    department: 'Grocery',
    items: [
      'Plantain Chips',
      'Cassava Chips',
      'Tamarind Balls',
      'Sugar Cake',
      'Peanut Brittle',
      'Crackers',
      'Chocolate Bar',
    ],
    sizes: ['50 g', '150 g', '400 g'],
  },
] as const;

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
export const DEMO_STORES = [
  { code: 'EMERALD', name: 'Emerald City', shopifyLocationName: 'Emerald City' },
  { code: 'C', name: 'Carlton', shopifyLocationName: 'Carlton' },
  { code: 'SUNSET', name: 'Sunset Crest', shopifyLocationName: 'Sunset Crest' },
  { code: 'OISTINS', name: 'Oistins', shopifyLocationName: 'Oistins' },
];

/** The demo catalogue, generated lazily so a 50,000-product population never sits in memory at once. */
export function* demoProducts(count: number, seed = 42, firstId = 1): Generator<ProductInput> {
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
    yield {
      id,
      handle: `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${id}`,
      title,
      descriptionHtml: `<p>${title}, from ${brand}. A ${dept.name.toLowerCase()} favourite across our Barbados stores.</p>`,
      vendor: brand,
      subDepartmentCode: dept.code,
      tags: [dept.department.toLowerCase(), dept.code.toLowerCase(), ...(r.chance(0.2) ? ['local'] : [])],
      options: ['Size'],
      variants,
      images: [{ url: `https://cdn.example.com/products/${id}/main.jpg`, alt: title }],
      storeAttributes: DEMO_STORES.filter(() => r.chance(0.5)).flatMap((s) => [
        { storeCode: s.code, key: 'aisle', value: String(r.int(1, 24)) },
        { storeCode: s.code, key: 'local_name', value: item },
      ]),
    };
  }
}
