import type { Movement } from '../../../domain/inventory/movements';

/** mulberry32: a seeded generator, so a failing property names the seed that reproduces it. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratorOptions {
  skus: string[];
  locations: string[];
  count: number;
  /** Share of the stream that replays an earlier movement byte for byte (a re-read, a retried batch). */
  replayRate?: number;
  /** Share that reuses an earlier key with other content (must be rejected). */
  conflictRate?: number;
  start?: number;
}

/**
 * A random interleaving of POS sales, receipts, counts, adjustments, transfers and an order lifecycle
 * (reserve, then maybe release or fulfil) over a few SKUs and locations, with replays and conflicting keys.
 */
export function randomMovements(rand: () => number, o: GeneratorOptions): Movement[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const out: Movement[] = [];
  const lines: { line: string; sku: string; location: string; quantity: number; order: string }[] = [];
  let clock = o.start ?? Date.UTC(2026, 11, 1, 8);
  let n = 0;
  while (out.length < o.count) {
    // Sources deliver late: a movement may carry a time up to a minute before the newest one seen.
    clock += int(0, 2_000);
    const occurredAt = new Date(clock - int(0, 60_000)).toISOString();
    const sku = pick(o.skus);
    const location = pick(o.locations);
    const r = rand();
    n++;
    if (out.length && r < (o.replayRate ?? 0.1)) {
      out.push({ ...pick(out) });
      continue;
    }
    if (out.length && r < (o.replayRate ?? 0.1) + (o.conflictRate ?? 0.03)) {
      const earlier = pick(out);
      out.push({ ...earlier, quantity: earlier.quantity + (earlier.quantity === -1 ? 2 : 1) });
      continue;
    }
    const roll = rand();
    if (roll < 0.35)
      out.push({ key: `pos/${location}/${n}`, kind: 'pos_sale', sku, location, quantity: int(1, 3), occurredAt });
    else if (roll < 0.45)
      out.push({ key: `rcv/${n}`, kind: 'receipt', sku, location, quantity: int(5, 30), occurredAt });
    else if (roll < 0.55)
      out.push({ key: `count/${n}`, kind: 'count', sku, location, quantity: int(0, 40), occurredAt });
    else if (roll < 0.6)
      out.push({ key: `adj/${n}`, kind: 'adjustment', sku, location, quantity: pick([-2, -1, 1, 3]), occurredAt });
    else if (roll < 0.65) {
      const to = pick(o.locations.filter((l) => l !== location));
      if (!to) continue;
      const quantity = int(1, 5);
      out.push(
        { key: `xfer/${n}#out`, kind: 'transfer_out', sku, location, quantity, occurredAt },
        { key: `xfer/${n}#in`, kind: 'transfer_in', sku, location: to, quantity, occurredAt },
      );
    } else if (roll < 0.85 || !lines.length) {
      const line = { line: `L${n}`, sku, location, quantity: int(1, 4), order: `O${Math.floor(n / 3)}` };
      lines.push(line);
      out.push({
        key: `shopify/line/${line.line}/reserve`,
        kind: 'reserve',
        sku,
        location,
        quantity: line.quantity,
        occurredAt,
        channel: 'shopify',
        orderId: line.order,
        orderLineId: line.line,
      });
    } else {
      const line = lines.splice(int(0, lines.length - 1), 1)[0]!;
      const kind = rand() < 0.5 ? 'release' : 'fulfil';
      out.push({
        key: `shopify/line/${line.line}/${kind}`,
        kind,
        sku: line.sku,
        location: line.location,
        quantity: kind === 'release' ? int(1, line.quantity) : line.quantity,
        occurredAt,
        channel: 'shopify',
        orderId: line.order,
        orderLineId: line.line,
      });
    }
  }
  return out.slice(0, o.count);
}
