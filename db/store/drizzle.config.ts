import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './db/store/schema.ts',
  out: './db/store/migrations',
  casing: 'snake_case',
});
