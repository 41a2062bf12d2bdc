import type { LakeTableDef } from '../domain/extraction/lake-tables';
import { markReplayed, readDeadLetter } from './dead-letters';
import { writeLakeTable, type Lake, type WriteLakeTableResult } from './lake-writer';

/**
 * Replays one dead letter after a fix: a page is parsed again by its table's current parser, rows are validated
 * again against its current schema, and what passes is written like any extraction (dedup makes a replay of rows
 * that meanwhile arrived another way harmless). Rows still refused go to a new dead letter; the replayed letter
 * moves to `dead-letters-replayed/`. A page whose parser still fails stays where it is, and the error is thrown.
 */
export async function replayDeadLetter(
  lake: Lake,
  key: string,
  tableOf: (table: string) => LakeTableDef | undefined,
): Promise<{ key: string; replayedTo: string; result: WriteLakeTableResult }> {
  const letter = await readDeadLetter(lake, key);
  const def = tableOf(`${letter.source}/${letter.entity}`);
  if (!def) throw new Error(`no lake table ${letter.source}/${letter.entity} is registered: cannot replay ${key}`);
  let rows: Record<string, unknown>[];
  if (letter.kind === 'rows') rows = (letter.rows ?? []).map((r) => r.row);
  else {
    if (!def.parsePage)
      throw new Error(`lake table ${def.source}/${def.entity} has no page parser: cannot replay ${key}`);
    if (!letter.response) throw new Error(`dead letter ${key} holds no response to parse`);
    rows = def.parsePage(letter.response.body);
  }
  const result = await writeLakeTable(lake, { ...def, dt: letter.dt ?? def.dt, rows });
  return { key, replayedTo: await markReplayed(lake, key), result };
}
