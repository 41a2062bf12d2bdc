export interface SandboxFaults {
  latencyMs?: number;
  http5xxRate?: number;
  throttledRate?: number;
  /** Mutations applied, then the connection dropped before the reply: the client sees a network error. */
  dropAfterCommitRate?: number;
  /** When set, dropAfterCommitRate applies only to mutations with one of these top-level fields. */
  dropAfterCommitFields?: string[];
  seed?: number;
  /** Bulk operations started while set fail (INTERNAL_SERVER_ERROR) after this many objects, with partialDataUrl. */
  bulkFailAfterObjects?: number;
}

/** Seeded decisions, so a faulty run can be replayed. */
export class FaultInjector {
  private state: number;
  constructor(private faults: SandboxFaults = {}) {
    this.state = (faults.seed ?? 1) >>> 0;
  }
  set(faults: SandboxFaults): void {
    this.faults = faults;
    this.state = (faults.seed ?? 1) >>> 0;
  }
  get current(): SandboxFaults {
    return this.faults;
  }
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  roll(kind: 'http5xxRate' | 'throttledRate' | 'dropAfterCommitRate'): boolean {
    const p = this.faults[kind] ?? 0;
    return p > 0 && this.next() < p;
  }
  /** Whether this committed mutation's reply is dropped. */
  dropReply(rootFields: string[] = []): boolean {
    const only = this.faults.dropAfterCommitFields;
    if (only && !rootFields.some((f) => only.includes(f))) return false;
    return this.roll('dropAfterCommitRate');
  }
  latency(): number {
    return this.faults.latencyMs ?? 0;
  }
}
