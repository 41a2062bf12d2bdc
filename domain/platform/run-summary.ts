/**
 * What the Temporal Web UI shows for a run before anyone opens it: a one-line summary and Markdown details, both
 * fixed when the run starts (`staticSummary` / `staticDetails` on every start, child start and Schedule action).
 * Built from business keys only (product ids, store codes, file names, windows): never customer emails or names.
 */
export interface RunSummary {
  staticSummary: string;
  staticDetails?: string;
}

/** The server refuses a summary whose payload exceeds 400 bytes; keep well below it (the JSON quotes count too). */
const SUMMARY_MAX_BYTES = 300;
const DETAILS_MAX_BYTES = 8_000;

function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Truncates to `maxBytes` of UTF-8 (on a character boundary), marking the cut with an ellipsis. */
function clip(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let out = '';
  for (const ch of text) {
    if (utf8Length(out + ch) > maxBytes - 3) break;
    out += ch;
  }
  return `${out}…`;
}

/** One line (whitespace collapsed) short enough for a summary. */
export const oneLine = (text: string): string => clip(text.replace(/\s+/g, ' ').trim(), SUMMARY_MAX_BYTES);

/** `12,400` (no Intl: the same in every runtime, workflow sandbox included). */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `1 product`, `12,400 products`. */
export const count = (n: number, unit: string, plural = `${unit}s`): string =>
  `${thousands(n)} ${n === 1 ? unit : plural}`;

/** `532 B`, `4.2 KB`, `1.3 MB`, `2.0 GB`. */
export function byteSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** `08:00–08:05` within one UTC day, `2026-11-30 23:55 → 2026-12-01 00:05` across days (UTC, minutes). */
export function timeWindow(from: string, to: string): string {
  const f = new Date(from).toISOString();
  const t = new Date(to).toISOString();
  return f.slice(0, 10) === t.slice(0, 10)
    ? `${f.slice(11, 16)}–${t.slice(11, 16)}`
    : `${f.slice(0, 16).replace('T', ' ')} → ${t.slice(0, 16).replace('T', ' ')}`;
}

/** `demo-grocer` for `demo-grocer.myshopify.com`. */
export const shopName = (shop: string): string => shop.replace(/\.myshopify\.com$/, '');

/** The last path segment of an object key. */
export const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/**
 * A summary from its parts joined by ` · ` (empty parts dropped), and details as a Markdown list of the facts that
 * are set (numbers as given: ids are not counts). Details are for what does not fit the line: filters, windows, keys.
 */
export function runSummary(
  parts: (string | false | null | undefined)[],
  details: Record<string, string | number | boolean | null | undefined> = {},
): RunSummary {
  const staticSummary = oneLine(parts.filter(Boolean).join(' · '));
  const lines = Object.entries(details)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `- **${k}**: ${String(v)}`);
  return lines.length ? { staticSummary, staticDetails: clip(lines.join('\n'), DETAILS_MAX_BYTES) } : { staticSummary };
}
