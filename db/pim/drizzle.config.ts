import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './db/pim/schema.ts',
  out: './db/pim/migrations',
  casing: 'snake_case',
});
