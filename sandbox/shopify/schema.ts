import fs from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';

/** The sandbox's executable schema, built once from schema.graphql beside this file. */
export const sandboxSchema = buildSchema(fs.readFileSync(path.join(import.meta.dirname, 'schema.graphql'), 'utf8'));
