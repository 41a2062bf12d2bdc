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

// Seen under npm start: the demo set AMAZON_VENDOR_WAREHOUSES=EM,C, and with several warehouses a bare code is the
// ledger location of that code. The demo has no store EM (Emerald City is EMERALD), so warehouse EM reported 0.
describe('the demo and compose vendor warehouses', () => {
  it('ship from demo stores that exist, one warehouse per sandbox warehouse code', async () => {
    const { DEMO_STORES, DEMO_VENDOR_WAREHOUSES } = await import('../../../db/seed/catalog');
    const fs = await import('node:fs');
    const compose = /AMAZON_VENDOR_WAREHOUSES: (\S+)/.exec(fs.readFileSync('docker-compose.yml', 'utf8'))?.[1];
    const codes = new Set(DEMO_STORES.map((s) => s.code));
    for (const value of [DEMO_VENDOR_WAREHOUSES, compose!]) {
      const problems: string[] = [];
      const warehouses = parseVendorWarehouses(value, problems);
      expect(problems).toEqual([]);
      expect(warehouses.map((w) => w.id)).toEqual(['EM', 'C']);
      for (const w of warehouses) for (const l of w.locations ?? []) expect(codes.has(l), `${w.id} → ${l}`).toBe(true);
    }
  });
});
