import { describe, expect, it } from 'vitest';
import { parseVendorWarehouses } from '../../../workers/amazon-config';

describe('AMAZON_VENDOR_WAREHOUSES', () => {
  it('maps each warehouse to the ledger locations whose stock it ships', () => {
    const problems: string[] = [];
    expect(parseVendorWarehouses('EM=EMERALD, C, SO=SUNSET+OISTINS', problems)).toEqual([
      { id: 'EM', locations: ['EMERALD'] },
      { id: 'C', locations: ['C'] },
      { id: 'SO', locations: ['SUNSET', 'OISTINS'] },
    ]);
    expect(problems).toEqual([]);
  });

  it('a lone bare warehouse ships from every location (all of the allocation goes there, as before)', () => {
    expect(parseVendorWarehouses('WH1', [])).toEqual([{ id: 'WH1', locations: null }]);
  });

  it('refuses a location in two warehouses (its stock would be promised twice) and a mapping without locations', () => {
    const problems: string[] = [];
    parseVendorWarehouses('A=C,B=C+EM,D=', problems);
    expect(problems.join('\n')).toMatch(/location C is in both A and B/);
    expect(problems.join('\n')).toMatch(/'D=' is not CODE/);
  });
});
