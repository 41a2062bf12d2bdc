import type { LakeTableDef } from '../domain/extraction/lake-tables';
import { pageParser, type PageParser, type TableRows } from '../domain/extraction/page-parsers';
import { markReplayed, readDeadLetter } from './dead-letters';
import { writeLakeTable, type Lake, type WriteLakeTableResult } from './lake-writer';

/**
 * Replays one dead letter after a fix: a page is parsed again by its current parser (the named page parser, which
 * may feed several tables, or the table's own `parsePage`), rows are validated again against the table's current
 * schema, and what passes is written like any extraction (dedup makes a replay of rows that meanwhile arrived
 * another way harmless). Rows still refused go to a new dead letter; the replayed letter moves to
 * `dead-letters-replayed/`. A page whose parser still fails stays where it is, and the error is thrown.
 */
export async function replayDeadLetter(
  lake: Lake,
  key: string,
  tableOf: (table: string) => LakeTableDef | undefined,
  parserOf: (name: string) => PageParser | undefined = pageParser,
): Promise<{ key: string; replayedTo: string; result: WriteLakeTableResult; tables: string[] }> {
  const letter = await readDeadLetter(lake, key);
  let tables: TableRows;
  if (letter.kind === 'page' && letter.parser) {
    const parse = parserOf(letter.parser);
    if (!parse) throw new Error(`no page parser ${letter.parser} is registered: cannot replay ${key}`);
    if (!letter.response) throw new Error(`dead letter ${key} holds no response to parse`);
    tables = parse(JSON.parse(letter.response.body));
  } else {
    const def = tableOf(`${letter.source}/${letter.entity}`);
    if (!def) throw new Error(`no lake table ${letter.source}/${letter.entity} is registered: cannot replay ${key}`);
    if (letter.kind === 'rows') tables = [{ table: def, rows: (letter.rows ?? []).map((r) => r.row) }];
    else {
      if (!def.parsePage)
        throw new Error(`lake table ${def.source}/${def.entity} has no page parser: cannot replay ${key}`);
      if (!letter.response) throw new Error(`dead letter ${key} holds no response to parse`);
      tables = [{ table: def, rows: def.parsePage(letter.response.body) }];
    }
  }
  // A letter of one table keeps the partition rule it was written with; a named parser's tables use their own.
  const results: WriteLakeTableResult[] = [];
  for (const { table, rows } of tables)
    if (rows.length || tables.length === 1)
      results.push(
        await writeLakeTable(lake, { ...table, dt: letter.parser ? table.dt : (letter.dt ?? table.dt), rows }),
      );
  const result: WriteLakeTableResult = {
    written: results.reduce((n, r) => n + r.written, 0),
    partitions: results.flatMap((r) => r.partitions),
    quarantined: results.reduce((n, r) => n + r.quarantined, 0),
    deadLetter: results.find((r) => r.deadLetter)?.deadLetter,
    schemaVersion: results[0]?.schemaVersion ?? 0,
    newUnknownFields: results.flatMap((r) => r.newUnknownFields),
  };
  return {
    key,
    replayedTo: await markReplayed(lake, key),
    result,
    tables: tables.map((t) => `${t.table.source}/${t.table.entity}`),
  };
}
