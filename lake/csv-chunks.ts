import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { decodeField, escapeBytes, type SourceEncoding } from './source-encoding';

/** A resumable position in a CSV file: a byte offset at a row boundary and the rows read before it. */
export interface CsvCursor {
  offset: number;
  rowNumber: number;
  /** The header cells, once read; a resumed read starts past the header and takes them from here. */
  header?: string[];
}

/**
 * One data row: its fields, or why it could not be parsed or decoded (then `fields`, if any, are the raw bytes with
 * non-ASCII bytes escaped as `\xNN`, for the quarantine copy). `rowNumber` is 1-based, header excluded.
 */
export interface CsvRow {
  rowNumber: number;
  fields?: string[];
  error?: string;
}

export interface CsvReadOptions {
  encoding?: SourceEncoding;
  /** A longer record is reported as unparseable instead of being held in memory (default 8 MiB). */
  maxRecordBytes?: number;
}

/** A header cell or field list that is not text in the declared encoding. */
export class UndecodableHeaderError extends Error {}

function decodeRecord(
  raw: string[],
  encoding: SourceEncoding,
): { fields: string[] } | { error: string; raw: string[] } {
  const fields: string[] = new Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const d = decodeField(raw[i]!, encoding);
    if ('problem' in d) return { error: `field ${i + 1} ${d.problem}`, raw: raw.map(escapeBytes) };
    fields[i] = d.text;
  }
  return { fields };
}

export interface CsvChunk {
  header: string[];
  rows: CsvRow[];
  /** Where the next chunk starts; checkpointing it resumes exactly after this chunk's last row. */
  end: CsvCursor;
}

/**
 * Streams `body` (the file's bytes from `start.offset`) as chunks of at most `chunkRows` rows.
 * The declared encoding (UTF-8 by default, with or without BOM), quoted fields, CRLF or LF; a malformed or
 * undecodable record becomes a row with `error` instead of ending the file. Byte offsets come from the parser's own
 * count, so they fall on record ends. The header must decode, or UndecodableHeaderError is thrown.
 */
/** The UTF-8 byte order mark as the parser sees it (one char per byte). */
const UTF8_BOM = '\xEF\xBB\xBF';

export async function* readCsvChunks(
  body: Readable,
  start: CsvCursor,
  chunkRows: number,
  { encoding = 'utf-8', maxRecordBytes = 8 * 1024 * 1024 }: CsvReadOptions = {},
): AsyncGenerator<CsvChunk> {
  const parser = parse({
    // One char per byte; fields are decoded below. The BOM is stripped from the header by hand: the parser's own
    // BOM handling would switch its decoding to UTF-8.
    encoding: 'latin1',
    bom: false,
    max_record_size: maxRecordBytes,
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
    if (!header) {
      if (start.offset === 0 && record[0]?.startsWith(UTF8_BOM)) record[0] = record[0].slice(UTF8_BOM.length);
      const decoded = decodeRecord(record, encoding);
      if ('error' in decoded) throw new UndecodableHeaderError(`header ${decoded.error}`);
      header = decoded.fields;
    } else {
      const decoded = decodeRecord(record, encoding);
      if ('error' in decoded) rows.push({ rowNumber: ++rowNumber, error: decoded.error, fields: decoded.raw });
      else rows.push({ rowNumber: ++rowNumber, fields: decoded.fields });
    }
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
