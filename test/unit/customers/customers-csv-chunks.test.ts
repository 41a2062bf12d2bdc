import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsvChunks, type CsvCursor, type CsvRow } from '../../../lake/csv-chunks';
import { customersCsv } from '../../../lake/demo/customers-csv';

const read = async (bytes: Buffer, start: CsvCursor, chunkRows: number) => {
  const chunks = [];
  for await (const c of readCsvChunks(Readable.from([bytes.subarray(start.offset)]), start, chunkRows)) chunks.push(c);
  return chunks;
};

describe('resumable CSV chunks', () => {
  const text = '\ufeffid,name\r\n1,"Smith, Jr."\r\n2,"multi\r\nline"\r\n3,é\r\n4,"bad"x"\r\n5,last';
  const bytes = Buffer.from(text, 'utf8');

  it('parses BOM, quoted commas and newlines, CRLF; a malformed row becomes an error row, not the end', async () => {
    const chunks = await read(bytes, { offset: 0, rowNumber: 0 }, 100);
    const rows = chunks.flatMap((c) => c.rows);
    expect(chunks[0]!.header).toEqual(['id', 'name']);
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.fields).toEqual(['1', 'Smith, Jr.']);
    expect(rows[1]!.fields).toEqual(['2', 'multi\r\nline']);
    expect(rows[2]!.fields).toEqual(['3', 'é']);
    expect(rows[4]!.fields).toEqual(['5', 'last']);
  });

  it('resuming from any chunk end yields exactly the remaining rows', async () => {
    const body = Buffer.from([...customersCsv({ rows: 500, seed: 3 })].join(''), 'utf8');
    const all = (await read(body, { offset: 0, rowNumber: 0 }, 1000)).flatMap((c) => c.rows);
    const chunks = await read(body, { offset: 0, rowNumber: 0 }, 37);
    for (const chunk of chunks.slice(0, -1)) {
      const rest: CsvRow[] = (await read(body, chunk.end, 50)).flatMap((c) => c.rows);
      expect(rest).toEqual(all.slice(chunk.end.rowNumber));
    }
  });
});
