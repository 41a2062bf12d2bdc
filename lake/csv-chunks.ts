import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';

/** A resumable position in a CSV file: a byte offset at a row boundary and the rows read before it. */
export interface CsvCursor {
  offset: number;
  rowNumber: number;
  /** The header cells, once read; a resumed read starts past the header and takes them from here. */
  header?: string[];
}

/** One data row: its fields, or why it could not be parsed at all. `rowNumber` is 1-based, header excluded. */
export interface CsvRow {
  rowNumber: number;
  fields?: string[];
  error?: string;
}

export interface CsvChunk {
  header: string[];
  rows: CsvRow[];
  /** Where the next chunk starts; checkpointing it resumes exactly after this chunk's last row. */
  end: CsvCursor;
}

/**
 * Streams `body` (the file's bytes from `start.offset`) as chunks of at most `chunkRows` rows.
 * UTF-8 with or without BOM, quoted fields, CRLF or LF; a malformed record becomes a row with `error`
 * instead of ending the file. Byte offsets come from the parser's own count, so they fall on record ends.
 */
export async function* readCsvChunks(body: Readable, start: CsvCursor, chunkRows: number): AsyncGenerator<CsvChunk> {
  const parser = parse({
    bom: start.offset === 0,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  const skipped: string[] = [];
  parser.on('skip', (err: CsvError) => skipped.push(err.message));
  body.on('error', (err) => parser.destroy(err));
  body.pipe(parser);

  let header = start.header;
  let rowNumber = start.rowNumber;
  let offset = start.offset;
  let rows: CsvRow[] = [];
  const takeSkipped = () => {
    for (const error of skipped.splice(0)) rows.push({ rowNumber: ++rowNumber, error: `unparseable row: ${error}` });
  };
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
    takeSkipped();
    if (!header) header = record;
    else rows.push({ rowNumber: ++rowNumber, fields: record });
    offset = start.offset + info.bytes;
    if (rows.length >= chunkRows) {
      yield { header, rows, end: { offset, rowNumber, header } };
      rows = [];
    }
  }
  takeSkipped();
  if (!header) header = [];
  // Skipped records at the very end have no record after them; the file's end is the next offset.
  if (rows.length) yield { header, rows, end: { offset: Number.MAX_SAFE_INTEGER, rowNumber, header } };
}
