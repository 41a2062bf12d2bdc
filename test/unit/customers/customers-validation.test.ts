import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePhone } from '../../../domain/customers/contact';
import { parseCalendarDate, parseTimestamp } from '../../../domain/platform/dates';
import { missingCustomerColumns, validateCustomerRow } from '../../../domain/customers/customers';
import { newestPerCustomer } from '../../../domain/customers/customers-dedupe';
import { countsBalance } from '../../../domain/customers/import-counts';

const rules = { storeCodes: new Set(['EMERALD', 'C']) };

describe('customer field validation', () => {
  it.each([
    ['555-1234', '+12465551234'],
    ['(246) 555-1234', '+12465551234'],
    ['+1 246 555 1234', '+12465551234'],
    ['1-246-555-1234', '+12465551234'],
    ['305.555.1234', '+13055551234'],
    ['+44 20 7946 0958', '+442079460958'],
    ['011 44 20 7946 0958', '+442079460958'],
  ])('normalises phone %s to E.164 %s', (raw, e164) => expect(normalizePhone(raw)).toBe(e164));

  it.each(['12', '555-12345', '+1 046 555 1234', '246-155-1234', 'call me', '+0 123'])('rejects phone %s', (raw) =>
    expect(normalizePhone(raw)).toBeNull(),
  );

  it('accepts common addresses and lower-cases only the domain', () => {
    expect(normalizeEmail(' Jane.Doe+loyalty@Example.BB ')).toBe('Jane.Doe+loyalty@example.bb');
    for (const bad of ['a@b', 'a@@b.co', '.a@b.co', 'a..b@c.co', 'a@-b.co', 'no at.co', 'a@b.c'])
      expect(normalizeEmail(bad), bad).toBeNull();
  });

  it('parses calendar dates strictly and timestamps to UTC, local Barbados time when no offset', () => {
    expect(parseCalendarDate('2024-02-29')).toBe('2024-02-29');
    expect(parseCalendarDate('2023-02-29')).toBeNull();
    expect(parseTimestamp('2024-05-01 12:00')).toBe('2024-05-01T16:00:00.000Z');
    expect(parseTimestamp('2024-05-01T12:00:00.5+0100')).toBe('2024-05-01T11:00:00.500Z');
    expect(parseTimestamp('2024-05-01T12:00:00Z')).toBe('2024-05-01T12:00:00.000Z');
    expect(parseTimestamp('2024-05-01T24:00:00Z')).toBeNull();
    expect(parseTimestamp('yesterday')).toBeNull();
  });
});

describe('customer rows', () => {
  const row = {
    customer_id: 'C1',
    loyalty_card: '6000 0000 0001',
    email: 'a@b.co',
    phone: '555-1234',
    home_store: 'emerald',
    updated_at: '2024-01-01T00:00:00Z',
  };

  it('produces a normalised profile from a valid row', () => {
    expect(validateCustomerRow(row, rules)).toEqual({
      ok: true,
      profile: {
        customerId: 'C1',
        loyaltyCard: '600000000001',
        email: 'a@b.co',
        phone: '+12465551234',
        homeStore: 'EMERALD',
        updatedAt: '2024-01-01T00:00:00.000Z',
      },
    });
  });

  it('names every problem of a bad row in its reason', () => {
    const result = validateCustomerRow({ ...row, loyalty_card: '', email: 'x@', home_store: 'ATLANTIS' }, rules);
    expect(result).toEqual({
      ok: false,
      reason: 'loyalty_card missing; email invalid: x@; home_store unknown store code: ATLANTIS',
    });
  });

  it('maps headers by name, whatever their case, and lists missing required columns', () => {
    expect(missingCustomerColumns(['Customer ID', 'LOYALTY_CARD', 'updated-at'])).toEqual([]);
    expect(missingCustomerColumns(['customer_id', 'email'])).toEqual(['loyalty_card', 'updated_at']);
  });

  it('keeps the newest row per customer in a chunk, the earlier one on a tie', () => {
    const p = (customerId: string, updatedAt: string, rowNumber: number) => ({
      rowNumber,
      profile: { customerId, updatedAt },
    });
    const { winners, superseded } = newestPerCustomer([
      p('a', '2024-01-01', 1),
      p('a', '2024-03-01', 2),
      p('a', '2024-02-01', 3),
      p('b', '2024-01-01', 4),
      p('b', '2024-01-01', 5),
    ]);
    expect(winners.map((w) => w.rowNumber)).toEqual([2, 4]);
    expect(superseded.map((w) => w.rowNumber).sort()).toEqual([1, 3, 5]);
  });

  it('checks the counts invariant', () => {
    expect(countsBalance({ read: 5, imported: 2, updated: 1, skippedOlder: 1, quarantined: 1 })).toBe(true);
    expect(countsBalance({ read: 5, imported: 2, updated: 1, skippedOlder: 1, quarantined: 0 })).toBe(false);
  });
});
