export interface AmazonFaults {
  seed?: number;
  latencyMs?: number;
  /** Share of calls answered 500 InternalFailure / 503 ServiceUnavailable (alternating), before anything is done. */
  http5xxRate?: number;
  /** Share of calls answered 429 QuotaExceeded although the bucket had a token. */
  throttledRate?: number;
  /** The next N calls are answered 429 QuotaExceeded (a burst of throttling). */
  throttleNext?: number;
  /** Share of state-changing calls applied, then the connection dropped before the reply. */
  dropAfterCommitRate?: number;
  /**
   * When set, the faults above (5xx, 429, dropped replies) apply only to these operationIds. A feed's or a VDF
   * transaction's outcome (below) is not a call's fault and applies whatever this lists.
   */
  operations?: string[];
  /** Share of feeds, and the next N feeds, that end FATAL. */
  fatalFeedRate?: number;
  fatalNextFeeds?: number;
  /** Of a FATAL feed's messages, the share applied before it failed ("some, none, or all", feeds_2021-06-30.json). */
  fatalFeedAppliedShare?: number;
  /** Share of VDF inventory transactions, and the next N, that end Failure. */
  failTransactionRate?: number;
  failNextTransactions?: number;
}

type Rate = 'http5xxRate' | 'throttledRate' | 'dropAfterCommitRate' | 'fatalFeedRate' | 'failTransactionRate';

/** Seeded decisions, so a faulty run can be replayed. */
export class FaultInjector {
  private state: number;
  private served5xx = 0;
  constructor(private faults: AmazonFaults = {}) {
    this.state = (faults.seed ?? 1) >>> 0;
  }
  set(faults: AmazonFaults): void {
    this.faults = { ...faults };
    this.state = (faults.seed ?? 1) >>> 0;
    this.served5xx = 0;
  }
  /** Injected server errors alternate 500 InternalFailure and 503 ServiceUnavailable (both in every model). */
  next5xx(): 500 | 503 {
    return this.served5xx++ % 2 ? 503 : 500;
  }
  get current(): AmazonFaults {
    return this.faults;
  }
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  private applies(operationId?: string): boolean {
    return !operationId || !this.faults.operations || this.faults.operations.includes(operationId);
  }
  roll(kind: Rate, operationId?: string): boolean {
    const p = this.faults[kind] ?? 0;
    const outcome = kind === 'fatalFeedRate' || kind === 'failTransactionRate';
    return p > 0 && (outcome || this.applies(operationId)) && this.next() < p;
  }
  /** Consumes one of a counted fault (throttleNext, fatalNextFeeds, failNextTransactions). */
  take(kind: 'throttleNext' | 'fatalNextFeeds' | 'failNextTransactions', operationId?: string): boolean {
    const n = this.faults[kind] ?? 0;
    if (n <= 0 || (kind === 'throttleNext' && !this.applies(operationId))) return false;
    this.faults = { ...this.faults, [kind]: n - 1 };
    return true;
  }
  latency(): number {
    return this.faults.latencyMs ?? 0;
  }
}
