import type { LakeTableSpec, PartitionRule } from './lake-schema';

/**
 * A lake table as the pipelines that fill it define it: spec, partition rule and, for tables filled from source
 * pages, the page parser (`body` is the response text) that a dead-letter replay runs again after a fix.
 */
export interface LakeTableDef extends LakeTableSpec {
  dt: PartitionRule;
  parsePage?(body: string): Record<string, unknown>[];
}

const TABLES = new Map<string, LakeTableDef>();

/** Registers a table (once per `source/entity`; module load order doesn't matter) and returns it. */
export function defineLakeTable<T extends LakeTableDef>(def: T): T {
  TABLES.set(`${def.source}/${def.entity}`, def);
  return def;
}

export const lakeTable = (table: string): LakeTableDef | undefined => TABLES.get(table);
export const lakeTables = (): LakeTableDef[] => [...TABLES.values()];
