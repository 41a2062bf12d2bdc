/** Basket sizes shaped like the first seed's grocery shop (average order BBD 264). */

/** Lines in one order: an exact count, a range, or (default) a grocery basket. */
export type BasketSize = number | { min: number; max: number };

/**
 * A grocery basket: 15–80 distinct lines, and about one order in twelve a big shop of 100–150 lines, which is
 * what a real shop's connections must be paged for (a page of 10 or 50 lines is not an order).
 */
export function basketLines(rand: () => number, size?: BasketSize): number {
  if (typeof size === 'number') return size;
  if (size) return size.min + Math.floor(rand() * (size.max - size.min + 1));
  if (rand() < 0.08) return 100 + Math.floor(rand() * 51);
  return 15 + Math.floor(rand() * 66);
}

/** Lines refunded together: a few damaged or missing items (2–6), never more than the order has. */
export function refundLineCount(rand: () => number, lines: number, asked?: number): number {
  return Math.min(lines, asked ?? 2 + Math.floor(rand() * 5));
}

/** `count` distinct indexes of a list of `n` (a basket holds each product once), in random order. */
export function distinctIndexes(rand: () => number, n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(rand() * n));
  return [...picked];
}
