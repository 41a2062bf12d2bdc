import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './db/channels/schema.ts',
  out: './db/channels/migrations',
  casing: 'snake_case',
});
