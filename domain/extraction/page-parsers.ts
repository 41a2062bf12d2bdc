import type { LakeTableDef } from './lake-tables';

/** The rows one source page yields, per table (a Shopify orders page feeds five tables, a Lightspeed sale page four). */
export type TableRows = { table: LakeTableDef; rows: Record<string, unknown>[] }[];
/** `page` is the reply's decoded JSON (a dead letter keeps it as text; the replay decodes it). */
export type PageParser = (page: unknown) => TableRows;

const PARSERS = new Map<string, PageParser>();

/**
 * Registers how a source page is read, by name. A page dead letter names its parser, so a replay after a fix runs
 * the fixed code on the kept response and writes every table the page feeds (lake/dead-letter-replay.ts).
 */
export function definePageParser(name: string, parse: PageParser): string {
  PARSERS.set(name, parse);
  return name;
}

export const pageParser = (name: string): PageParser | undefined => PARSERS.get(name);
