import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../sandbox/amazon/faults';

describe('Amazon sandbox faults: `operations` limits the call faults, not a feed or transaction outcome', () => {
  it('a FATAL feed and a failed VDF transaction apply whatever `operations` lists; 5xx, 429 and drops do not', () => {
    // A run with every call fault on but createFeed's (a 429 there spends Amazon's one-per-120-s feed quota), and
    // the next feed FATAL and the next transaction Failure.
    const f = new FaultInjector({
      http5xxRate: 1,
      throttledRate: 1,
      dropAfterCommitRate: 1,
      operations: ['patchListingsItem', 'submitInventoryUpdate'],
      fatalNextFeeds: 1,
      failNextTransactions: 1,
      failTransactionRate: 1,
    });
    expect(f.roll('http5xxRate', 'createFeed')).toBe(false);
    expect(f.roll('throttledRate', 'createFeed')).toBe(false);
    expect(f.roll('dropAfterCommitRate', 'createFeed')).toBe(false);
    expect(f.roll('http5xxRate', 'patchListingsItem')).toBe(true);
    expect(f.take('fatalNextFeeds', 'createFeed')).toBe(true);
    expect(f.take('fatalNextFeeds', 'createFeed')).toBe(false); // one only
    expect(f.take('failNextTransactions', 'submitInventoryUpdate')).toBe(true);
    expect(f.roll('failTransactionRate', 'submitInventoryUpdate')).toBe(true);
    f.set({ fatalFeedRate: 1, operations: ['getListingsItem'] });
    expect(f.roll('fatalFeedRate', 'createFeed')).toBe(true);
    // throttleNext is a call fault: limited like the rates.
    f.set({ throttleNext: 1, operations: ['getListingsItem'] });
    expect(f.take('throttleNext', 'createFeed')).toBe(false);
    expect(f.take('throttleNext', 'getListingsItem')).toBe(true);
  });
});
