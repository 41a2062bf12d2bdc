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
