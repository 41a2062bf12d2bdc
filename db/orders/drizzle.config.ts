import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: './db/orders/schema.ts',
  out: './db/orders/migrations',
  casing: 'snake_case',
});
