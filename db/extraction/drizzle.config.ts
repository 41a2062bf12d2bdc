import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './db/extraction/schema.ts',
  out: './db/extraction/migrations',
  casing: 'snake_case',
});
