import { isReservationKind, lineKey, movementHash, onHandDelta, validateMovement } from './movements';
import type { Movement, Rejection } from './movements';

/**
 * The ledger's rules as a fold over movements. Levels are per SKU × location:
 * - `on_hand`: units physically there. A count sets it; any other movement moves it by its delta, unless it
 *   happened at or before the location's latest count (the count already includes it), so a sale picked up
 *   after the count that followed it is not subtracted twice, whatever the order of arrival. A count older than
 *   the latest is stale and changes nothing; a newer one sets `count + Σ deltas recorded after it`.
 * - `reserved`: units promised to open order lines (reserve adds; release and fulfil take out at most what the
 *   line still holds, at the line's location; fulfil also ships the units: on_hand − quantity).
 * - `available_to_sell` = max(0, on_hand − reserved − safety stock).
 * A key seen again with the same content is a duplicate (no effect); with other content it is rejected.
 */

export interface Level {
  onHand: number;
  reserved: number;
  /** occurredAt of the latest count applied here (ISO), null before the first count. */
  countedAt: string | null;
}

export interface OpenLine {
  lineKey: string;
  sku: string;
  location: string;
  channel: string;
  orderId: string | null;
  open: number;
}

/**
 * A movement that took on-hand further below what is reserved: a POS sale of units online orders were promised,
 * a count that found fewer, or a reservation accepted on an offer that was already stale.
 */
export interface Incident {
  /** The movement whose application revealed it. */
  movementKey: string;
  /**
   * What took the units: the movement's kind, except for a reservation that reaches the ledger after till sales
   * made after its order was placed (a webhook or an order read that came late) and that those sales account for:
   * the till sold units the order held, so it is a `pos_sale` incident, as it would have been had the reservation
   * arrived in time. Arrival order changes no level, and no incident's meaning either.
   */
  kind: Movement['kind'];
  sku: string;
  location: string;
  units: number;
  /** The open order lines whose units it took, newest first, and their orders. */
  lineKeys: string[];
  orderIds: string[];
}

export type Outcome =
  | { status: 'applied'; movement: Movement; hash: string; delta: number; incident?: Incident }
  | { status: 'duplicate' }
  | { status: 'rejected'; rejection: Rejection };

export const levelKey = (sku: string, location: string) => `${sku}\u0000${location}`;

export function availableToSell(level: Pick<Level, 'onHand' | 'reserved'>, safetyStock = 0): number {
  return Math.max(0, level.onHand - level.reserved - safetyStock);
}

const ZERO: Level = { onHand: 0, reserved: 0, countedAt: null };
const t = (iso: string) => new Date(iso).getTime();

/**
 * In-memory ledger state. The activity fills it with the database rows a batch touches (`seen` hashes of the
 * batch's keys, levels, open lines, and Σ deltas after each count's time), applies the batch and writes back
 * what changed; the property test folds whole histories through the same code.
 */
export class LedgerState {
  readonly levels = new Map<string, Level>();
  readonly lines = new Map<string, OpenLine>();
  readonly seen = new Map<string, string>();
  /** Applied movements' deltas per level, for counts that arrive after them. */
  private readonly history = new Map<string, { at: number; delta: number; till: boolean }[]>();
  /** Σ on-hand deltas recorded before this state was loaded, per level and count time (`levelKey@ms`). */
  readonly priorDeltasAfter = new Map<string, number>();
  /**
   * Units of POS sales recorded before this state was loaded that happened after a reservation's time, per level
   * and that time (`levelKey@ms`); loaded only for reservations that may find their level short.
   */
  readonly priorTillAfter = new Map<string, number>();

  level(sku: string, location: string): Level {
    return this.levels.get(levelKey(sku, location)) ?? ZERO;
  }

  /** Units sold at the till at this level after `at` (what a late reservation's order found there before them). */
  private tillAfter(key: string, at: number): number {
    const prior = this.priorTillAfter.get(`${key}@${at}`) ?? 0;
    return prior - (this.history.get(key) ?? []).filter((h) => h.till && h.at > at).reduce((n, h) => n + h.delta, 0);
  }

  private deltasAfter(key: string, at: number): number {
    const prior = this.priorDeltasAfter.get(`${key}@${at}`) ?? 0;
    return prior + (this.history.get(key) ?? []).filter((h) => h.at > at).reduce((n, h) => n + h.delta, 0);
  }

  /** Applies one movement (already checked against the catalogue and locations by the caller). */
  apply(input: Movement): Outcome {
    const invalid = validateMovement(input);
    if (invalid) return { status: 'rejected', rejection: invalid };
    const hash = movementHash(input);
    const seen = this.seen.get(input.key);
    if (seen !== undefined)
      return seen === hash
        ? { status: 'duplicate' }
        : {
            status: 'rejected',
            rejection: {
              code: 'DUPLICATE_CONFLICT',
              reason: `key ${input.key} was applied before with other content`,
            },
          };
    this.seen.set(input.key, hash);

    const line = isReservationKind(input.kind) ? this.lines.get(lineKey(input)) : undefined;
    // Releases and fulfilments happen where the units were reserved.
    const m: Movement = line && input.kind !== 'reserve' ? { ...input, location: line.location } : input;
    const key = levelKey(m.sku, m.location);
    const before = this.level(m.sku, m.location);
    const level = { ...before };
    const at = t(m.occurredAt);
    const delta = onHandDelta(m);

    if (m.kind === 'count') {
      if (level.countedAt === null || at > t(level.countedAt)) {
        level.onHand = m.quantity + this.deltasAfter(key, at);
        level.countedAt = new Date(at).toISOString();
      }
    } else if (delta !== 0 && (level.countedAt === null || at > t(level.countedAt))) level.onHand += delta;

    if (m.kind === 'reserve') {
      const lk = lineKey(m);
      const open = this.lines.get(lk);
      this.lines.set(lk, {
        lineKey: lk,
        sku: m.sku,
        location: m.location,
        channel: m.channel!,
        orderId: m.orderId ?? open?.orderId ?? null,
        open: (open?.open ?? 0) + m.quantity,
      });
      level.reserved += m.quantity;
    } else if ((m.kind === 'release' || m.kind === 'fulfil') && line) {
      const taken = Math.min(m.quantity, line.open);
      this.lines.set(line.lineKey, { ...line, open: line.open - taken });
      level.reserved -= taken;
    }

    if (delta !== 0) {
      const h = this.history.get(key) ?? [];
      h.push({ at, delta, till: m.kind === 'pos_sale' });
      this.history.set(key, h);
    }
    this.levels.set(key, level);
    // A reservation beyond what is there is an incident too (an order accepted on a stale offer).
    const incident = this.incident(m, before, level);
    return { status: 'applied', movement: m, hash, delta, ...(incident ? { incident } : {}) };
  }

  /**
   * Units of this movement that came out of reserved stock (on_hand fell further below reserved). Units below
   * zero were never there to be reserved: a sale with nothing reserved, or past the shelf, is not one.
   */
  private incident(m: Movement, before: Level, after: Level): Incident | undefined {
    const short = (l: Level) => Math.max(0, l.reserved - Math.max(0, l.onHand));
    const units = short(after) - short(before);
    if (units <= 0) return undefined;
    const late = m.kind === 'reserve' && this.tillAfter(levelKey(m.sku, m.location), t(m.occurredAt)) >= units;
    const open = [...this.lines.values()]
      .filter((l) => l.sku === m.sku && l.location === m.location && l.open > 0)
      .reverse();
    const hit: OpenLine[] = [];
    for (let left = units; left > 0 && open.length;) {
      const l = open.shift()!;
      hit.push(l);
      left -= l.open;
    }
    return {
      movementKey: m.key,
      kind: late ? 'pos_sale' : m.kind,
      sku: m.sku,
      location: m.location,
      units,
      lineKeys: hit.map((l) => l.lineKey),
      orderIds: [...new Set(hit.map((l) => l.orderId).filter((x): x is string => !!x))],
    };
  }
}

/** Levels of a whole history, in the order given (the ledger's application order). */
export function fold(movements: Movement[]): { state: LedgerState; outcomes: Outcome[] } {
  const state = new LedgerState();
  return { state, outcomes: movements.map((m) => state.apply(m)) };
}
