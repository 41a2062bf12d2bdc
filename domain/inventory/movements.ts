/**
 * The stock ledger's movements: what each kind means, its effect on `on_hand`, its content hash (a key seen
 * again with another hash is a conflicting duplicate) and its validation. Pure: the ledger activity and the
 * property test fold the same rules.
 */

export const MOVEMENT_KINDS = [
  'pos_sale',
  'receipt',
  'count',
  'adjustment',
  'transfer_out',
  'transfer_in',
  'reserve',
  'release',
  'fulfil',
] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/** One stock movement at one SKU × location, as its source reported it. */
export interface Movement {
  /** The source's idempotency key (`pos/C/81234`, `shopify/<shop>/line/<id>/reserve`, …): applied at most once. */
  key: string;
  kind: MovementKind;
  sku: string;
  /** A store code (`C`, `EM`) or a configured warehouse code. */
  location: string;
  /**
   * Units, > 0 — except `count` (the absolute number on the shelf, ≥ 0) and `adjustment` (a signed delta ≠ 0).
   * For `release`/`fulfil` at most the line's open reservation is taken out of `reserved`.
   */
  quantity: number;
  /** When it happened at the source (ISO): a movement at or before the location's latest count is in that count. */
  occurredAt: string;
  /** reserve/release/fulfil: the selling channel (`shopify`, `amazon`) and the order line the units belong to. */
  channel?: string;
  orderId?: string;
  orderLineId?: string;
}

const RESERVATION_KINDS = new Set<MovementKind>(['reserve', 'release', 'fulfil']);
export const isReservationKind = (k: MovementKind) => RESERVATION_KINDS.has(k);

/** The change a movement makes to `on_hand` when it is not already inside a later count (counts: 0, they set it). */
export function onHandDelta(m: Pick<Movement, 'kind' | 'quantity'>): number {
  switch (m.kind) {
    case 'receipt':
    case 'transfer_in':
    case 'adjustment':
      return m.quantity;
    case 'pos_sale':
    case 'transfer_out':
    case 'fulfil':
      return -m.quantity;
    default:
      return 0;
  }
}

/** The reservation a line's movements share: one per channel and order line. */
export const lineKey = (m: Pick<Movement, 'channel' | 'orderLineId'>) => `${m.channel ?? ''}:${m.orderLineId ?? ''}`;

/** The content that must match when a key is seen again (FNV-1a of a canonical form: pure, no crypto import). */
export function movementHash(m: Movement): string {
  const canonical = [
    m.kind,
    m.sku,
    m.location,
    m.quantity,
    new Date(m.occurredAt).toISOString(),
    m.channel ?? '',
    m.orderId ?? '',
    m.orderLineId ?? '',
  ].join('\u0001');
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < canonical.length; i++) {
    const c = canonical.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

export type RejectionCode =
  'MALFORMED' | 'NEGATIVE_COUNT' | 'BAD_QUANTITY' | 'UNKNOWN_SKU' | 'LOCATION_UNMAPPED' | 'DUPLICATE_CONFLICT';

export interface Rejection {
  code: RejectionCode;
  reason: string;
}

/** Shape rules of one movement, before the ledger looks anything up; null when it is well-formed. */
export function validateMovement(m: Movement): Rejection | null {
  if (!m.key || m.key.length > 191) return { code: 'MALFORMED', reason: 'key missing or longer than 191 characters' };
  if (!MOVEMENT_KINDS.includes(m.kind)) return { code: 'MALFORMED', reason: `unknown movement kind ${String(m.kind)}` };
  if (!m.sku || m.sku.length > 64) return { code: 'MALFORMED', reason: 'sku missing or longer than 64 characters' };
  if (!m.location || m.location.length > 32)
    return { code: 'MALFORMED', reason: 'location missing or longer than 32 characters' };
  if (Number.isNaN(new Date(m.occurredAt).getTime())) return { code: 'MALFORMED', reason: 'occurredAt is not a time' };
  if (!Number.isInteger(m.quantity))
    return { code: 'BAD_QUANTITY', reason: `quantity ${m.quantity} is not an integer` };
  if (m.kind === 'count') {
    if (m.quantity < 0) return { code: 'NEGATIVE_COUNT', reason: `count of ${m.quantity} units` };
  } else if (m.kind === 'adjustment') {
    if (m.quantity === 0) return { code: 'BAD_QUANTITY', reason: 'adjustment of 0 units' };
  } else if (m.quantity <= 0) return { code: 'BAD_QUANTITY', reason: `${m.kind} of ${m.quantity} units` };
  if (isReservationKind(m.kind) && (!m.channel || !m.orderLineId))
    return { code: 'MALFORMED', reason: `${m.kind} without channel and order line` };
  return null;
}

/** A transfer between two locations: two legs sharing the source key. */
export function transferMovements(t: {
  key: string;
  sku: string;
  from: string;
  to: string;
  quantity: number;
  occurredAt: string;
}): Movement[] {
  const base = { sku: t.sku, quantity: t.quantity, occurredAt: t.occurredAt };
  return [
    { ...base, key: `${t.key}#out`, kind: 'transfer_out', location: t.from },
    { ...base, key: `${t.key}#in`, kind: 'transfer_in', location: t.to },
  ];
}
