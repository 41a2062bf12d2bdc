import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildClientSchema, type GraphQLSchema } from 'graphql';

/** Shopify's published Admin API 2026-10 schema, read from ../shared beside the project (reference data). */
export const REAL_SCHEMA_PATH = path.resolve(import.meta.dirname, '../../../shared/shopify/admin_2026-10.json.gz');

let cached: GraphQLSchema | undefined;
export function realShopifySchema(): GraphQLSchema {
  if (!cached) {
    const intro = JSON.parse(zlib.gunzipSync(fs.readFileSync(REAL_SCHEMA_PATH)).toString());
    cached = buildClientSchema(intro.data ?? intro);
  }
  return cached;
}
