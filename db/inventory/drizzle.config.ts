import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './db/inventory/schema.ts',
  out: './db/inventory/migrations',
  casing: 'snake_case',
});
