import { parseArgs } from 'node:util';
import { createPimDb, createStoreDb } from '../client';
import { isDemoDataPresent, seedDemoData } from './index';

// `npx tsx db/seed/main.ts --products 5000 [--seed 42] [--stores EMERALD,C]`
// Seeds PIM_DATABASE_URL and STORE_DATABASE_URL (the local stack's by default) unless the PIM already holds products.
const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '42' },
    stores: { type: 'string' },
  },
});
const products = Number(values.products);
const seed = Number(values.seed);
if (!Number.isInteger(products) || products < 1 || !Number.isInteger(seed))
  throw new Error('--products must be a positive integer and --seed an integer');

const pim = createPimDb(process.env.PIM_DATABASE_URL ?? 'mysql://root@127.0.0.1:3307/pim');
const store = createStoreDb(process.env.STORE_DATABASE_URL ?? 'mysql://root@127.0.0.1:3307/store');
try {
  if (await isDemoDataPresent(pim.db)) console.log('PIM already holds products; nothing seeded.');
  else {
    const started = Date.now();
    const stores = values.stores
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const summary = await seedDemoData({ pim: pim.db, store: store.db }, { products, seed, stores });
    console.log({ ...summary, ms: Date.now() - started });
  }
} finally {
  await Promise.all([pim.close(), store.close()]);
}
