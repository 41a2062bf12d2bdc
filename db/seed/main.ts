import { parseArgs } from 'node:util';
import { createPool, pimDb, storeDb } from '../client';
import { isDemoDataPresent, seedDemoData } from './index';

// `npx tsx db/seed/main.ts --products 5000 [--seed 42]`: seeds PIM_DATABASE_URL and STORE_DATABASE_URL if empty.
const { values } = parseArgs({
  options: { products: { type: 'string', default: '2000' }, seed: { type: 'string', default: '42' } },
});
const pimPool = createPool(process.env.PIM_DATABASE_URL ?? 'mysql://root@127.0.0.1:3307/pim');
const storePool = createPool(process.env.STORE_DATABASE_URL ?? 'mysql://root@127.0.0.1:3307/store');
try {
  const pim = pimDb(pimPool);
  if (await isDemoDataPresent(pim)) console.log('PIM already holds products; nothing seeded.');
  else
    console.log(
      await seedDemoData(
        { pim, store: storeDb(storePool) },
        { products: Number(values.products), seed: Number(values.seed) },
      ),
    );
} finally {
  await Promise.all([pimPool.end(), storePool.end()]);
}
