import { describe, expect, it } from 'vitest';
import { availableToSell, fold, LedgerState } from '../../../domain/inventory/ledger';
import { movementHash, type Movement } from '../../../domain/inventory/movements';
import { randomMovements, seeded } from '../../support/inventory/movement-generator';

const SKUS = ['SKU-1', 'SKU-2', 'SKU-3'];
const LOCATIONS = ['C', 'EM', 'OI'];
const SEEDS = Array.from({ length: 200 }, (_, i) => 1000 + i);

const levelsOf = (s: LedgerState) => Object.fromEntries([...s.levels].sort(([a], [b]) => a.localeCompare(b)));
/** The distinct movements of a stream: the first occurrence of each key, in order. */
const distinct = (ms: Movement[]) => {
  const seen = new Set<string>();
  return ms.filter((m) => !seen.has(m.key) && seen.add(m.key));
};
const shuffle = <T>(rand: () => number, xs: T[]) => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
};

describe('ledger fold (property: random interleavings, duplicates and replays)', () => {
  it('levels equal the fold of the distinct movements, whatever is replayed or re-sent with other content', () => {
    for (const seed of SEEDS) {
      const stream = randomMovements(seeded(seed), { skus: SKUS, locations: LOCATIONS, count: 300 });
      const withReplays = fold(stream);
      const once = fold(distinct(stream));
      expect(levelsOf(withReplays.state), `seed ${seed}`).toEqual(levelsOf(once.state));
      // Every repeat of a key is a duplicate (same content) or a rejected conflict (other content), never applied.
      const firsts = new Map<string, Movement>();
      withReplays.outcomes.forEach((o, i) => {
        const m = stream[i]!;
        const first = firsts.get(m.key);
        if (!first) return void firsts.set(m.key, m);
        if (movementHash(first) === movementHash(m)) expect(o.status).toBe('duplicate');
        else expect(o).toMatchObject({ status: 'rejected', rejection: { code: 'DUPLICATE_CONFLICT' } });
      });
    }
  });

  it('replaying a whole stream into its own final state changes nothing (every key is seen)', () => {
    for (const seed of SEEDS.slice(0, 50)) {
      const rand = seeded(seed);
      const stream = randomMovements(rand, { skus: SKUS, locations: LOCATIONS, count: 300 });
      const whole = fold(stream).state;
      // Replaying the whole stream into the final state changes nothing (every key is seen).
      const again = fold(stream).state;
      stream.forEach((m) => again.apply(m));
      expect(levelsOf(again), `seed ${seed}`).toEqual(levelsOf(whole));
    }
  });

  it('reserved is never negative, equals the open order lines, and available_to_sell is never negative', () => {
    for (const seed of SEEDS) {
      const { state } = fold(randomMovements(seeded(seed), { skus: SKUS, locations: LOCATIONS, count: 300 }));
      for (const [key, level] of state.levels) {
        expect(level.reserved).toBeGreaterThanOrEqual(0);
        const open = [...state.lines.values()]
          .filter((l) => `${l.sku}\u0000${l.location}` === key)
          .reduce((n, l) => n + l.open, 0);
        expect(level.reserved, `seed ${seed} ${key}`).toBe(open);
        for (const safety of [0, 2, 50]) expect(availableToSell(level, safety)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('on_hand does not depend on the order stock movements arrive in (counts include what happened before them)', () => {
    for (const seed of SEEDS.slice(0, 100)) {
      const rand = seeded(seed);
      // Distinct times: two movements at the same millisecond around a count have no defined order.
      const stock = shuffle(
        rand,
        distinct(
          randomMovements(rand, { skus: SKUS, locations: LOCATIONS, count: 200, replayRate: 0, conflictRate: 0 }),
        )
          .filter((m) => !['reserve', 'release', 'fulfil'].includes(m.kind))
          .map((m, i) => ({ ...m, occurredAt: new Date(Date.UTC(2026, 11, 1) + i * 1000).toISOString() })),
      );
      const onHand = (s: LedgerState) => [...s.levels].map(([k, l]) => [k, l.onHand]).sort();
      const inOrder = onHand(fold(stock).state);
      for (let k = 0; k < 3; k++) expect(onHand(fold(shuffle(rand, stock)).state), `seed ${seed}`).toEqual(inOrder);
    }
  });

  it('a POS sale of units reserved online is an incident naming the order it conflicts with', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s)).toISOString();
    const { outcomes, state } = fold([
      { key: 'count/1', kind: 'count', sku: 'A', location: 'C', quantity: 3, occurredAt: at(0) },
      {
        key: 'shopify/line/9/reserve',
        kind: 'reserve',
        sku: 'A',
        location: 'C',
        quantity: 2,
        occurredAt: at(1),
        channel: 'shopify',
        orderId: 'gid://shopify/Order/77',
        orderLineId: '9',
      },
      { key: 'pos/C/1', kind: 'pos_sale', sku: 'A', location: 'C', quantity: 1, occurredAt: at(2) },
      { key: 'pos/C/2', kind: 'pos_sale', sku: 'A', location: 'C', quantity: 2, occurredAt: at(3) },
    ]);
    expect(outcomes[2]).toMatchObject({ status: 'applied' });
    expect(outcomes[2]).not.toHaveProperty('incident');
    expect(outcomes[3]).toMatchObject({
      status: 'applied',
      incident: { units: 2, orderIds: ['gid://shopify/Order/77'], lineKeys: ['shopify:9'] },
    });
    expect(state.level('A', 'C')).toMatchObject({ onHand: 0, reserved: 2 });
    expect(availableToSell(state.level('A', 'C'))).toBe(0);
  });

  // #13 cross-channel proof: a Shopify order whose webhook came late reached the ledger after the till sold, later
  // than the order, the units it held; the ledger called it "a reservation accepted on a stale offer".
  it('a reservation arriving after till sales made after its order is a POS sale of reserved stock, as in time order', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s)).toISOString();
    const reserve = (s: number): Movement => ({
      key: `amazon/line/${s}/reserve`,
      kind: 'reserve',
      sku: 'A',
      location: 'C',
      quantity: 2,
      occurredAt: at(s),
      channel: 'amazon',
      orderId: `111-${s}`,
      orderLineId: String(s),
    });
    const count: Movement = { key: 'count/1', kind: 'count', sku: 'A', location: 'C', quantity: 3, occurredAt: at(0) };
    const sale: Movement = {
      key: 'pos/C/1',
      kind: 'pos_sale',
      sku: 'A',
      location: 'C',
      quantity: 2,
      occurredAt: at(5),
    };
    // In time order the sale at 5 s takes 1 of the 2 units the order of 2 s holds.
    const inOrder = fold([count, reserve(2), sale]).outcomes;
    expect(inOrder[2]).toMatchObject({ incident: { kind: 'pos_sale', units: 1, orderIds: ['111-2'] } });
    // The order read late: the same incident, found when its reservation arrives.
    const late = fold([count, sale, reserve(2)]).outcomes;
    expect(late[2]).toMatchObject({
      incident: { movementKey: 'amazon/line/2/reserve', kind: 'pos_sale', units: 1, orderIds: ['111-2'] },
    });
    // An order placed after the sale was accepted on an offer already stale: that stays a reservation incident.
    const stale = fold([count, sale, reserve(7)]).outcomes;
    expect(stale[2]).toMatchObject({ incident: { kind: 'reserve', units: 1, orderIds: ['111-7'] } });
  });

  it('a sale below zero with nothing reserved is no incident; only the reserved units a sale takes are', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 9, 0, s)).toISOString();
    const sale = (n: number, q: number): Movement => ({
      key: `pos/C/${n}`,
      kind: 'pos_sale',
      sku: 'A',
      location: 'C',
      quantity: q,
      occurredAt: at(n),
    });
    // No count yet and nothing reserved: on_hand goes below zero, but no order was promised these units.
    const unreserved = fold([sale(1, 2), sale(2, 3)]);
    expect(unreserved.outcomes.filter((o) => o.status === 'applied' && o.incident)).toEqual([]);
    expect(unreserved.state.level('A', 'C')).toMatchObject({ onHand: -5, reserved: 0 });
    // 3 on the shelf, 2 reserved: a sale of 5 takes the 2 reserved units (the other 3 were not there to take).
    const { outcomes } = fold([
      { key: 'count/1', kind: 'count', sku: 'A', location: 'C', quantity: 3, occurredAt: at(0) },
      {
        key: 'shopify/line/9/reserve',
        kind: 'reserve',
        sku: 'A',
        location: 'C',
        quantity: 2,
        occurredAt: at(1),
        channel: 'shopify',
        orderId: 'gid://shopify/Order/77',
        orderLineId: '9',
      },
      sale(2, 5),
      sale(3, 1),
    ]);
    expect(outcomes[2]).toMatchObject({ incident: { units: 2, lineKeys: ['shopify:9'] } });
    expect(outcomes[3]).not.toHaveProperty('incident');
  });

  it('rejects malformed movements with a reason: a negative count, a zero adjustment, a reserve without a line', () => {
    const base = { sku: 'A', location: 'C', occurredAt: new Date().toISOString() };
    const { outcomes } = fold([
      { ...base, key: 'c', kind: 'count', quantity: -4 },
      { ...base, key: 'a', kind: 'adjustment', quantity: 0 },
      { ...base, key: 'r', kind: 'reserve', quantity: 1 },
      { ...base, key: 's', kind: 'pos_sale', quantity: -1 },
    ]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.rejection.code : o.status))).toEqual([
      'NEGATIVE_COUNT',
      'BAD_QUANTITY',
      'MALFORMED',
      'BAD_QUANTITY',
    ]);
  });
});
