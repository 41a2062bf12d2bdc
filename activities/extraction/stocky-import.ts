import { parse } from 'csv-parse/sync';
import { STOCKY_HEADERS, STOCKY_TABLES, stockyRow, type StockyExport } from '../../domain/extraction/stock-history';
import { stockLocations, type StockLocationDirectory } from '../../domain/extraction/stock-locations';
import { writeDeadLetter } from '../../lake/dead-letters';
import { writeLakeTable, type Lake } from '../../lake/lake-writer';

export interface StockyImportResult {
  kind: StockyExport;
  rows: number;
  written: number;
  quarantined: number;
  deadLetters: string[];
}

/**
 * Imports one Stocky CSV export into its `stock.*` table, validated row by row: a row breaking a rule of the export
 * (no units moved) or of the table's schema (a missing SKU, a date or quantity that doesn't parse) goes to a dead
 * letter with its line number and reason, and so does a row naming a location no store answers to (`locations`:
 * Stocky named locations by their Shopify name; each row is written with its store code and Shopify location id,
 * so it joins Shopify's own history of that store). Every other row is written. Importing the same file again writes the same
 * rows (natural keys), so a retried or repeated import never duplicates. A file whose header lacks a column the
 * export always has is refused whole (wrong kind of file).
 */
export async function importStockyCsv(
  lake: Lake,
  kind: StockyExport,
  fileName: string,
  text: string,
  locations: StockLocationDirectory,
): Promise<StockyImportResult> {
  const locate = stockLocations(locations);
  const records = parse(text.replace(/^\uFEFF/, ''), {
    columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
    skip_empty_lines: true,
    relax_column_count: true,
  }) as Record<string, string>[];
  const header = new Set(Object.keys(records[0] ?? {}));
  const missing = STOCKY_HEADERS[kind].filter((h) => !header.has(h.toLowerCase()));
  if (records.length && missing.length)
    throw new Error(`${fileName} is not a Stocky ${kind} export: no ${missing.join(', ')} column`);
  const rows: Record<string, unknown>[] = [];
  const refused: { row: Record<string, unknown>; reasons: string[] }[] = [];
  records.forEach((r, i) => {
    const mapped = stockyRow(kind, r, locate);
    if ('problems' in mapped) refused.push({ row: { ...r, _line: i + 2 }, reasons: mapped.problems });
    else rows.push(mapped.row);
  });
  const request = { file: fileName, kind };
  const deadLetters: string[] = [];
  if (refused.length)
    deadLetters.push(
      await writeDeadLetter(lake, {
        source: STOCKY_TABLES[kind].source,
        entity: STOCKY_TABLES[kind].entity,
        kind: 'rows',
        reason: `${refused.length} Stocky row(s) break the export's rules`,
        request,
        rows: refused,
      }),
    );
  const r = await writeLakeTable(lake, {
    ...STOCKY_TABLES[kind],
    rows,
    raw: { pageId: `stocky/${fileName}`, request, records },
  });
  if (r.deadLetter) deadLetters.push(r.deadLetter);
  return { kind, rows: records.length, written: r.written, quarantined: refused.length + r.quarantined, deadLetters };
}
