import { pick, seeded } from './random';

export interface Shop {
  shopID: number;
  name: string;
  code: string;
  timeZone: string;
  taxCategoryID: number;
}
export interface Register {
  registerID: number;
  shopID: number;
  name: string;
}
export interface TaxCategory {
  taxCategoryID: number;
  tax1Name: string;
  tax1Rate: number;
  tax2Name: string;
  tax2Rate: number;
}
/** Tax classes an item belongs to; `taxable` lines pay tax1, `excise` lines pay tax2 as well. */
export interface TaxClass {
  taxClassID: number;
  name: string;
  taxable: boolean;
  excise: boolean;
}
export interface PaymentType {
  paymentTypeID: number;
  name: string;
  code: string;
}
export interface Item {
  itemID: number;
  systemSku: string;
  customSku: string;
  description: string;
  taxClassID: number;
  priceCents: number;
  costCents: number;
  createTime: number;
  timeStamp: number;
}

export const DEMO_SHOPS: { name: string; code: string }[] = [
  { name: 'Carlton', code: 'C' },
  { name: 'Emerald City', code: 'EM' },
  { name: 'Sunset Crest', code: 'SC' },
  { name: 'Oistins', code: 'O' },
];

export const TAX_CATEGORIES: TaxCategory[] = [
  { taxCategoryID: 1, tax1Name: 'VAT', tax1Rate: 0.175, tax2Name: 'Excise', tax2Rate: 0.05 },
];
export const TAX_CLASSES: TaxClass[] = [
  { taxClassID: 1, name: 'Item', taxable: true, excise: false },
  { taxClassID: 2, name: 'Basic food (zero-rated)', taxable: false, excise: false },
  { taxClassID: 3, name: 'Alcohol', taxable: true, excise: true },
];
export const PAYMENT_TYPES: PaymentType[] = [
  { paymentTypeID: 1, name: 'Cash', code: 'cash' },
  { paymentTypeID: 2, name: 'Credit Card', code: 'credit card' },
  { paymentTypeID: 3, name: 'Debit Card', code: 'debit card' },
  { paymentTypeID: 4, name: 'Gift Card', code: 'gift card' },
];

const WORDS = ['Bread', 'Milk', 'Rice', 'Flour', 'Sugar', 'Tea', 'Coffee', 'Cheese', 'Yogurt', 'Chicken', 'Fish'];
const SIZES = ['250g', '500g', '1kg', '2kg', '1L', '2L', '6-pack', '12-pack'];
const BRANDS = ['Pine Hill', 'Roberts', 'Banks', 'Goddard', 'Purity', 'Trim', 'Eve'];

/** The catalogue: `count` grocery items, a tenth of them alcohol, a third zero-rated basic food. */
export function buildItems(count: number, seed: number, createdAt: number): Item[] {
  const rnd = seeded(seed ^ 0x1337);
  return Array.from({ length: count }, (_, i) => {
    const r = rnd();
    const taxClassID = r < 0.1 ? 3 : r < 0.43 ? 2 : 1;
    // Mostly cheap staples, a few dear items (skewed towards the low end).
    const priceCents = 49 + Math.floor(rnd() ** 2 * 2400);
    return {
      itemID: i + 1,
      systemSku: String(210000000000 + i + 1),
      customSku: `GR-${String(i + 1).padStart(5, '0')}`,
      description: `${pick(rnd, BRANDS)} ${taxClassID === 3 ? 'Rum' : pick(rnd, WORDS)} ${pick(rnd, SIZES)}`,
      taxClassID,
      priceCents,
      costCents: Math.round(priceCents * (0.55 + rnd() * 0.2)),
      createTime: createdAt,
      timeStamp: createdAt,
    };
  });
}

export function buildShops(count: number, registersPerShop: number): { shops: Shop[]; registers: Register[] } {
  const shops: Shop[] = [];
  const registers: Register[] = [];
  for (let s = 0; s < count; s++) {
    const base = DEMO_SHOPS[s % DEMO_SHOPS.length]!;
    const suffix = s >= DEMO_SHOPS.length ? String(Math.floor(s / DEMO_SHOPS.length) + 1) : '';
    shops.push({
      shopID: s + 1,
      name: `${base.name}${suffix ? ` ${suffix}` : ''}`,
      code: `${base.code}${suffix}`,
      timeZone: 'America/Barbados',
      taxCategoryID: 1,
    });
    for (let r = 0; r < registersPerShop; r++)
      registers.push({ registerID: registers.length + 1, shopID: s + 1, name: `Register ${r + 1}` });
  }
  return { shops, registers };
}
