import { normalizeEmail, normalizePhone } from './contact';
import { parseCalendarDate, parseTimestamp } from '../platform/dates';

/** The columns a customer export may carry, by header name (order in the file does not matter). */
export const CUSTOMER_COLUMNS = [
  'customer_id',
  'loyalty_card',
  'first_name',
  'last_name',
  'email',
  'phone',
  'birth_date',
  'home_store',
  'created_at',
  'updated_at',
] as const;
export type CustomerColumn = (typeof CUSTOMER_COLUMNS)[number];
export const REQUIRED_CUSTOMER_COLUMNS: readonly CustomerColumn[] = ['customer_id', 'loyalty_card', 'updated_at'];

/** A validated profile as stored in DynamoDB (`customers` table, key `customerId`). */
export interface CustomerProfile {
  customerId: string;
  loyaltyCard: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  birthDate?: string;
  homeStore?: string;
  createdAt?: string;
  /** UTC ISO timestamp; the newest `updatedAt` wins, an older row never overwrites a newer profile. */
  updatedAt: string;
}

export type CustomerRowResult = { ok: true; profile: CustomerProfile } | { ok: false; reason: string };

export interface CustomerRules {
  /** Store codes the store system knows; `home_store` must be one of them (case-insensitive). */
  storeCodes: ReadonlySet<string>;
}

// Card numbers double as int64 ids in the lake (loyalty Parquet), so: digits, no leading zero, at most 18.
const CARD = /^[1-9]\d{7,17}$/;
const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isLoyaltyCard(value: string): boolean {
  return CARD.test(value);
}

/** Headers that are missing from a file (the whole file is rejected if any required one is absent). */
export function missingCustomerColumns(header: readonly string[]): CustomerColumn[] {
  const present = new Set(header.map(normalizeHeader));
  return REQUIRED_CUSTOMER_COLUMNS.filter((c) => !present.has(c));
}

/** Header cells compare case- and space-insensitively: `Customer ID` → `customer_id`. */
export function normalizeHeader(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Validates one row (already mapped by header name); every problem is named in `reason`. */
export function validateCustomerRow(row: Partial<Record<string, string>>, rules: CustomerRules): CustomerRowResult {
  const get = (c: CustomerColumn) => row[c]?.trim() ?? '';
  const problems: string[] = [];
  const profile: Partial<CustomerProfile> = {};

  const id = get('customer_id');
  if (!id) problems.push('customer_id missing');
  else if (!CUSTOMER_ID.test(id)) problems.push('customer_id malformed');
  else profile.customerId = id;

  const card = get('loyalty_card').replace(/[\s-]/g, '');
  if (!card) problems.push('loyalty_card missing');
  else if (!isLoyaltyCard(card)) problems.push('loyalty_card must be 8-18 digits');
  else profile.loyaltyCard = card;

  const updated = get('updated_at');
  const updatedAt = updated ? parseTimestamp(updated) : null;
  if (!updated) problems.push('updated_at missing');
  else if (!updatedAt) problems.push(`updated_at not a timestamp: ${updated}`);
  else profile.updatedAt = updatedAt;

  optional(get('email'), normalizeEmail, 'email', (v) => (profile.email = v));
  optional(
    get('phone'),
    (v) => normalizePhone(v),
    'phone',
    (v) => (profile.phone = v),
  );
  optional(get('birth_date'), parseCalendarDate, 'birth_date', (v) => (profile.birthDate = v));
  optional(
    get('created_at'),
    (v) => parseTimestamp(v),
    'created_at',
    (v) => (profile.createdAt = v),
  );
  optional(
    get('home_store'),
    (v) => (rules.storeCodes.has(v.toUpperCase()) ? v.toUpperCase() : null),
    'home_store',
    (v) => (profile.homeStore = v),
    'unknown store code',
  );
  const first = get('first_name');
  const last = get('last_name');
  if (first) profile.firstName = first;
  if (last) profile.lastName = last;

  function optional(
    raw: string,
    normalise: (v: string) => string | null,
    name: string,
    set: (v: string) => void,
    why = 'invalid',
  ): void {
    if (!raw) return;
    const value = normalise(raw);
    if (value === null) problems.push(`${name} ${why}: ${raw}`);
    else set(value);
  }

  if (problems.length) return { ok: false, reason: problems.join('; ') };
  return { ok: true, profile: profile as CustomerProfile };
}
