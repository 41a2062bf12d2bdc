// Pure date parsing for file imports: calendar dates and timestamps normalised to UTC ISO strings.

/** In-store systems in Barbados write local time without an offset; Barbados has no daylight saving. */
export const BARBADOS_OFFSET = '-04:00';

/** `YYYY-MM-DD` if `raw` is a real calendar date (no 2023-02-30), else null. */
export function parseCalendarDate(raw: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return m[0];
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A timestamp as a UTC ISO string (`2024-05-01T16:00:00.000Z`). Accepts `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`
 * and the `T` form, with `Z` or an offset; without one, `defaultOffset` applies (local store time).
 */
export function parseTimestamp(raw: string, defaultOffset = BARBADOS_OFFSET): string | null {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m || !parseCalendarDate(m[1]!)) return null;
  const [hh, mm, ss] = [Number(m[2] ?? 0), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) return null;
  const fraction = (m[5] ?? '.000').slice(0, 4).padEnd(4, '0');
  let zone = m[6] ?? defaultOffset;
  if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const ms = Date.parse(`${m[1]}T${pad(hh)}:${pad(mm)}:${pad(ss)}${fraction}${zone.toUpperCase()}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
