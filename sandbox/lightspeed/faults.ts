import { seeded } from './random';

export interface LightspeedFaults {
  latencyMs?: number;
  /** Share of API replies that are 503 (nothing served, bucket still charged). */
  http5xxRate?: number;
  /** Share of list pages cut off mid-body (invalid JSON). */
  truncatedPageRate?: number;
  /** Share of list pages where one record lacks its id field (a row the client must quarantine). */
  missingIdRate?: number;
  /** Share of token refreshes that rotate the token and then drop the connection before the reply. */
  tokenReplyLostRate?: number;
  seed?: number;
}

/** Seeded decisions, so a faulty run can be replayed. */
export class Faults {
  private rnd: () => number;
  constructor(private faults: LightspeedFaults = {}) {
    this.rnd = seeded(faults.seed ?? 1);
  }
  set(f: LightspeedFaults): void {
    this.faults = f;
    this.rnd = seeded(f.seed ?? 1);
  }
  get current(): LightspeedFaults {
    return this.faults;
  }
  roll(kind: 'http5xxRate' | 'truncatedPageRate' | 'missingIdRate' | 'tokenReplyLostRate'): boolean {
    const p = this.faults[kind] ?? 0;
    return p > 0 && this.rnd() < p;
  }
  latency(): number {
    return this.faults.latencyMs ?? 0;
  }
}
