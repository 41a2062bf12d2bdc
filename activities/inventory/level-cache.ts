import type { Level } from '../../domain/inventory/ledger';

/** A level as this process last read or wrote it: its values, its optimistic-lock version, its latest movement. */
export interface CachedLevel {
  level: Level;
  version: number;
  lastMovementAt: number;
}

/**
 * The levels this process's ledger last committed or read, by `levelKey`, so a batch on the same SKUs (the pickup's
 * next page) folds without reading them again. It is only a guess at what was read: every level a batch writes
 * still carries the version it was folded on, and the upsert's version check refuses it if another writer (another
 * worker, a reservation) moved the level since, which rolls the batch back and runs it again on fresh reads
 * (`writeBatch`). So a stale entry costs a retry, never an update. Bounded: cleared when it would pass `max`.
 */
export class LevelCache {
  private readonly rows = new Map<string, CachedLevel>();

  constructor(private readonly max = 50_000) {}

  get(key: string): CachedLevel | undefined {
    return this.rows.get(key);
  }

  set(key: string, row: CachedLevel): void {
    if (!this.rows.has(key) && this.rows.size >= this.max) this.rows.clear();
    this.rows.set(key, row);
  }

  forget(keys: Iterable<string>): void {
    for (const k of keys) this.rows.delete(k);
  }

  get size(): number {
    return this.rows.size;
  }
}
