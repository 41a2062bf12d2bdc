/** Thrown when a field of a record is missing or not what the API documents (every value is a string). */
export class LightspeedFieldError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(
      `field ${field}: ${value === undefined ? 'missing' : `unexpected value ${JSON.stringify(value)?.slice(0, 60)}`}`,
    );
    this.name = 'LightspeedFieldError';
  }
}

type Rec = Record<string, unknown>;

// One record is an object, several an array: the same rule the lake's page parsers use.
export { asList } from '../../domain/extraction/lightspeed-records';

export function str(r: Rec, field: string): string {
  const v = r[field];
  if (typeof v !== 'string') throw new LightspeedFieldError(field, v);
  return v;
}

export const optStr = (r: Rec, field: string): string | null =>
  typeof r[field] === 'string' ? (r[field] as string) : null;

export function int(r: Rec, field: string): number {
  const v = str(r, field);
  if (!/^-?\d+$/.test(v)) throw new LightspeedFieldError(field, v);
  return Number(v);
}

/** A decimal string as integer cents, rounded half away from zero (amounts never pass through a float sum). */
export function cents(r: Rec, field: string): number {
  const v = str(r, field);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) throw new LightspeedFieldError(field, v);
  const frac = (m[3] ?? '').padEnd(3, '0');
  const abs = Number(m[2]) * 100 + Number(frac.slice(0, 2)) + (Number(frac[2]) >= 5 ? 1 : 0);
  return m[1] ? -abs : abs;
}

export function bool(r: Rec, field: string): boolean {
  const v = str(r, field);
  if (v !== 'true' && v !== 'false') throw new LightspeedFieldError(field, v);
  return v === 'true';
}

export function time(r: Rec, field: string): Date {
  const v = str(r, field);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new LightspeedFieldError(field, v);
  return new Date(t);
}

export function decimal(r: Rec, field: string): number {
  const v = str(r, field);
  const n = Number(v);
  if (v === '' || !Number.isFinite(n)) throw new LightspeedFieldError(field, v);
  return n;
}

export const formatCents = (c: number) =>
  `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
