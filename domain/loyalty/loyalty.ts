/** The columns of a loyalty-points export (header required; order free). */
export const LOYALTY_COLUMNS = [
  'transaction_id',
  'card_number',
  'store_code',
  'points_delta',
  'reason',
  'occurred_at',
] as const;

/** Why points move; the lake stores it dictionary-encoded, so an unknown reason is a rejected row, not a new value. */
export const LOYALTY_REASONS = [
  'purchase',
  'redemption',
  'bonus',
  'adjustment',
  'expiry',
  'refund',
  'transfer',
] as const;

/** Card numbers are int64 in the lake: 8–18 digits (the same rule the customer import applies). */
export const CARD_NUMBER_RANGE = { min: 10_000_000, max: 999_999_999_999_999_999n } as const;

/** Totals of one file for one card: what that file adds to the card's balance. */
export interface CardContribution {
  cardNumber: string;
  points: number;
  transactions: number;
  /** UTC ISO timestamp of the card's latest transaction in the file. */
  lastActivityAt: string;
}

export interface LoyaltyCounts {
  read: number;
  converted: number;
  quarantined: number;
}
