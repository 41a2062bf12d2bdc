import type { SbOrder } from './state';

export const FIRST = [
  'Aaliyah',
  'Marcus',
  'Keisha',
  'Andre',
  'Shanice',
  'Jamal',
  'Rihanna',
  'Dwayne',
  'Tamara',
  'Kemar',
];
export const LAST = [
  'Browne',
  'Griffith',
  'Clarke',
  'Alleyne',
  'Harewood',
  'Best',
  'Holder',
  'Worrell',
  'Gittens',
  'Yearwood',
];

/** Order.risk as a fraud provider would leave it for a given verdict. */
export function riskFor(level: 'HIGH' | 'MEDIUM' | 'LOW'): SbOrder['risk'] {
  const facts: SbOrder['risk']['assessments'][number]['facts'] =
    level === 'LOW'
      ? [{ description: 'Card verification passed', sentiment: 'POSITIVE' }]
      : [
          { description: 'Billing address does not match card', sentiment: 'NEGATIVE' },
          { description: 'Many orders from this IP in 24 hours', sentiment: 'NEGATIVE' },
        ];
  return {
    recommendation: level === 'HIGH' ? 'CANCEL' : level === 'MEDIUM' ? 'INVESTIGATE' : 'ACCEPT',
    assessments: [{ riskLevel: level, provider: 'Shopify Fraud Protect', facts }],
  };
}

/** Staples for baskets bigger than the catalogue (a sandbox with no products yet). */
export const GROCERIES = [
  'Pine Hill Whole Milk 1 L',
  'Purity Sliced Bread',
  'Banks Beer 6-pack',
  'Flying Fish Fillets 500 g',
  'Chicken Thighs 1 kg',
  'Long Grain Rice 2 kg',
  'Sweet Potatoes 1 kg',
  'Plantains',
  'Cheddar Cheese 400 g',
  'Orange Juice 1 L',
  'Eggs, dozen',
  'Brown Sugar 1 kg',
  'Pigeon Peas, canned',
  'Scotch Bonnet Peppers',
  'Coffee, ground 250 g',
  'Dish Soap 750 ml',
];
