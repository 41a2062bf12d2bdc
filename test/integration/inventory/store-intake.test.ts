import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntakeActivities, type InstoreManifest } from '../../../activities/inventory/intake';
import { createLedger } from '../../../activities/inventory/ledger';
import { pickUpPass } from '../../../activities/inventory/stock-pickup';
import { createPimDb, createPool, createStoreDb, type DbHandle, type PimDb, type StoreDb } from '../../../db/client';
import { deleteProduct, updateProduct } from '../../../db/pim/catalog-writes';
import { changeOutbox, images, products, storeAttributes, variants } from '../../../db/pim/schema';
import { seedDemoData } from '../../../db/seed';
import { gtinCheckDigit, rng } from '../../../db/seed/random';
import { posSales, stock, storeProducts } from '../../../db/store/schema';
import type { DiffRow, LedgerDifference } from '../../../domain/inventory/intake';
import { storeIntakeWorkflowId } from '../../../domain/inventory/intake-summaries';
import { SA } from '../../../domain/platform/search-attributes';
import { instoreManifestKey, instoreQuarantineKey } from '../../../lake/intake-layout';
import { storeIntakeAll } from '../../../workflows/inventory/intake';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const r = rng(1212);
// A lake bucket of this file's own: intake keeps each store code's POS high-water mark in the lake, and other
// files (ui-metadata) run intake for the same store codes in the shared bucket.
const config = loadConfig({ ...process.env, LAKE_BUCKET: `intake-lake-${randomUUID().slice(0, 8)}` });
const deps = createDeps(config);
// Days of this file's own (lake keys are per day and store), far from any other test's.
const day1 = `20${60 + r.int(0, 30)}-0${r.int(1, 8)}-1${r.int(0, 8)}`;
const day2 = new Date(Date.parse(`${day1}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const STORES = ['C', 'EM'];

describe('store intake (store DB → instore-metadata → PIM)', () => {
  let t: TemporalHarness;
  let dbs: FreshDatabases;
  let pim: DbHandle<PimDb>;
  let store: DbHandle<StoreDb>;
  let inventory: ReturnType<typeof createPool>;
  let activities: ReturnType<typeof createIntakeActivities>;

  beforeAll(async () => {
    await deps.s3.send(new CreateBucketCommand({ Bucket: config.aws.buckets.lake }));
    t = await temporalHarness('store-intake');
    dbs = await freshDatabases();
    pim = createPimDb(dbs.pim);
    store = createStoreDb(dbs.store);
    inventory = createPool(dbs.inventory);
    await seedDemoData({ pim: pim.db, store: store.db }, { products: 60, seed: 12, stores: STORES });
    // Small pages, so every read walks several keyset pages.
    activities = createIntakeActivities({
      pim: pim.db,
      store: store.db,
      inventory,
      s3: deps.s3,
      buckets: config.aws.buckets,
      pageSize: 37,
    });
  });
  afterAll(async () => {
    await t?.close();
    await pim?.close();
    await store?.close();
    await inventory?.end();
    await dbs?.drop();
    await deps.close();
  });

  const runAll = (day: string, suffix: string) =>
    t.withWorkers({ data: activities }, () =>
      t.client.workflow.execute(storeIntakeAll, {
        taskQueue: t.queue('data'),
        workflowId: `store-intake-all/${day}/${suffix}/${t.queue('data')}`,
        args: [{ day }],
      }),
    );
  const getText = async (bucket: string, key: string) =>
    (await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  const lines = (text: string) =>
    text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  /** A digest of everything intake could write in the PIM, and the outbox's length. */
  const pimState = async () => {
    const rows = await Promise.all([
      pim.db.select().from(products).orderBy(products.id),
      pim.db.select().from(variants).orderBy(variants.id),
      pim.db.select().from(images).orderBy(images.id),
      pim.db
        .select()
        .from(storeAttributes)
        .orderBy(storeAttributes.productId, storeAttributes.storeCode, storeAttributes.key),
    ]);
    const [outbox] = await pim.db.select({ n: sql<number>`count(*)` }).from(changeOutbox);
    return { digest: createHash('sha256').update(JSON.stringify(rows)).digest('hex'), outbox: Number(outbox!.n) };
  };
  /** The products the outbox recorded after the first `rows` rows (the PIM's triggers write one row per row edited). */
  const productsRecordedAfter = async (rows: number) =>
    [
      ...new Set(
        (await pim.db.select().from(changeOutbox).orderBy(changeOutbox.id)).slice(rows).map((r) => r.aggregateId),
      ),
    ].sort((a, b) => a - b);
  const storeRowCount = async (code: string) =>
    (await store.db.select().from(storeProducts).where(eq(storeProducts.storeCode, code))).length;

  // Fixed before the first run: an enriched product, a store barcode that disagrees with the PIM, a deleted product.
  let enriched: { id: number; title: string; sku: string };
  let conflictSku: string;
  let deletedSku: string;
  let priceSku: string;

  it('extracts each store, quarantines bad rows with reasons, creates drafts once, keeps PIM-enriched fields', async () => {
    const cRows = (await store.db.select().from(storeProducts).where(eq(storeProducts.storeCode, 'C')))
      .filter((p) => p.posSku === `C-${p.sku}` && p.barcode)
      .sort((a, b) => a.sku.localeCompare(b.sku));
    const owner = new Map((await pim.db.select().from(variants)).map((v) => [v.sku, v.productId]));
    // Three SKUs of three different products.
    const picked: string[] = [];
    for (const row of cRows)
      if (picked.length < 3 && !picked.some((sku) => owner.get(sku) === owner.get(row.sku))) picked.push(row.sku);
    const [eSku, cSku, dSku] = picked as [string, string, string];
    enriched = { id: owner.get(eSku)!, title: 'Pine Hill Hand-Picked Sweet Potatoes, 1 kg', sku: eSku };
    await updateProduct(pim.db, enriched.id, { title: enriched.title, descriptionHtml: '<p>Enriched.</p>' });
    conflictSku = cSku;
    const body = '209999999999';
    await store.db
      .update(storeProducts)
      .set({ barcode: `${body}${gtinCheckDigit(body)}` })
      .where(and(eq(storeProducts.storeCode, 'C'), eq(storeProducts.sku, conflictSku)));
    deletedSku = dSku;
    await deleteProduct(pim.db, owner.get(dSku)!);
    const before = await pimState();

    const result = await runAll(day1, 'first');

    expect(result.failed).toEqual([]);
    expect(result.stores.map((s) => s.storeCode)).toEqual(STORES);
    for (const s of result.stores) {
      const read = await storeRowCount(s.storeCode);
      // Every row read is accounted for: good + rejected = read, per source.
      expect(s.products.read).toBe(read);
      expect(s.products.good + s.products.rejected).toBe(read);
      expect(s.products.added + s.products.changed + s.products.unchanged + s.products.conflicting).toBe(
        s.products.good,
      );
      expect(s.stock.good + s.stock.rejected).toBe(s.stock.read);
      // The seeded oddities of every store: a mis-keyed barcode, a negative price, an unknown SKU format, a negative count.
      expect(s.rejectedBy).toEqual({ BAD_BARCODE: 1, NEGATIVE_PRICE: 1, UNKNOWN_SKU_FORMAT: 1, NEGATIVE_COUNT: 1 });
      expect(s.products.rejected).toBe(3);
      expect(s.stock.rejected).toBe(1);

      const quarantine = lines(await getText(config.aws.buckets.quarantine, instoreQuarantineKey(day1, s.storeCode)));
      expect(quarantine.map((q) => `${q.source}:${q.code}`).sort()).toEqual([
        'stock:NEGATIVE_COUNT',
        'store_products:BAD_BARCODE',
        'store_products:NEGATIVE_PRICE',
        'store_products:UNKNOWN_SKU_FORMAT',
      ]);
      expect(quarantine.find((q) => q.code === 'NEGATIVE_PRICE')!.reason).toBe('shelf price -2.49 is negative');
      expect((quarantine.find((q) => q.code === 'UNKNOWN_SKU_FORMAT')!.row as { sku: string }).sku).toBe(
        `misc ${s.storeCode} 4411`,
      );

      // The raw extract: files a person can open, with a manifest that counts them.
      const manifest = JSON.parse(
        await getText(config.aws.buckets.lake, instoreManifestKey(day1, s.storeCode)),
      ) as InstoreManifest;
      expect(manifest.files.map((f) => [f.table, f.key])).toEqual(
        ['store_products', 'stock', 'pos_sales'].map((table) => [
          table,
          `instore-metadata/dt=${day1}/store=${s.storeCode}/${table}.ndjson`,
        ]),
      );
      const extracted = lines(await getText(config.aws.buckets.lake, manifest.files[0]!.key));
      expect(extracted).toHaveLength(read);
      expect(manifest.files[0]!.rows).toBe(read);
      expect(manifest.posSales.afterId).toBe(0);
      const sales = await store.db.select().from(posSales).where(eq(posSales.storeCode, s.storeCode));
      expect(manifest.files[2]!.rows).toBe(sales.length);

      // The diff report: one line per usable row, each with a status and a reason.
      const diff = lines(await getText(config.aws.buckets.lake, s.keys.diff)) as unknown as DiffRow[];
      expect(diff).toHaveLength(s.products.good);
      expect(diff.every((d) => d.reason.length > 0)).toBe(true);
      expect(s.keys.staged).toBe(
        `product-update-uploader/products-detail-update/dt=${day1}/store=${s.storeCode}/staged.json`,
      );
      expect(s.keys.diff).toBe(`product-detail/dt=${day1}/store=${s.storeCode}/diff.ndjson`);
      if (s.storeCode === 'C') {
        const bySku = new Map(diff.map((d) => [d.sku, d]));
        expect(bySku.get(conflictSku)).toMatchObject({ status: 'conflicting' });
        expect(bySku.get(conflictSku)!.reason).toMatch(/differs from the PIM's \d{13}: PIM kept/);
        expect(bySku.get(deletedSku)).toMatchObject({ status: 'conflicting' });
        expect(bySku.get(deletedSku)!.reason).toMatch(/is deleted/);
        expect(bySku.get(enriched.sku)!.status).toBe('changed');
      }
    }

    // One draft per new SKU across both stores, awaiting enrichment, with each store's shelf price.
    const drafts = await pim.db.select().from(products).where(eq(products.status, 'DRAFT'));
    expect(drafts.map((d) => d.title).sort()).toEqual([
      'NEW-900001-1 (awaiting enrichment)',
      'NEW-900002-1 (awaiting enrichment)',
    ]);
    expect(result.stores.reduce((n, s) => n + s.draftsCreated, 0)).toBe(2);
    const draft = drafts.find((d) => d.title.startsWith('NEW-900001-1'))!;
    expect(draft.tags).toContain('awaiting-enrichment');
    const draftAttrs = await pim.db.select().from(storeAttributes).where(eq(storeAttributes.productId, draft.id));
    expect(draftAttrs.filter((a) => a.key === 'shelf_price.NEW-900001-1').map((a) => [a.storeCode, a.value])).toEqual(
      expect.arrayContaining([
        ['C', '5.99'],
        ['EM', '5.99'],
      ]),
    );

    // PIM-enriched fields stay; the deleted product is not revived; store data did not replace the PIM barcode.
    const [p] = await pim.db.select().from(products).where(eq(products.id, enriched.id));
    expect(p!.title).toBe(enriched.title);
    expect(p!.descriptionHtml).toBe('<p>Enriched.</p>');
    const [del] = await pim.db
      .select()
      .from(products)
      .innerJoin(variants, eq(variants.productId, products.id))
      .where(eq(variants.sku, deletedSku));
    expect(del!.products.deletedAt).not.toBeNull();
    const [cv] = await pim.db.select().from(variants).where(eq(variants.sku, conflictSku));
    expect(cv!.barcode).not.toMatch(/^2099/);
    // The shelf prices are the store's: every good row of C has its price as a C attribute.
    const cAttrs = await pim.db.select().from(storeAttributes).where(eq(storeAttributes.storeCode, 'C'));
    expect(cAttrs.filter((a) => a.key.startsWith('shelf_price.')).length).toBeGreaterThan(50);

    // Changes reach Shopify through the outbox: every product intake wrote attributes of (drafts included), and no
    // other, has rows (the seed's attributes are `aisle` and `local_name`).
    const written = await pim.db
      .selectDistinct({ id: storeAttributes.productId })
      .from(storeAttributes)
      .where(sql`${storeAttributes.key} not in ('aisle', 'local_name')`)
      .orderBy(storeAttributes.productId);
    expect(written.length).toBeGreaterThan(0);
    expect(await productsRecordedAfter(before.outbox)).toEqual(written.map((w) => w.id));

    // The child runs are findable by store.
    const child = await t.client.workflow.getHandle(storeIntakeWorkflowId('C', day1)).describe();
    expect(child.typedSearchAttributes.get(SA.StoreCode)).toBe('C');
    expect(child.typedSearchAttributes.get(SA.Pipeline)).toBe('store-intake');
    expect(child.typedSearchAttributes.get(SA.SyncStatus)).toBe('Completed');
  });

  it('re-running a day changes nothing in the PIM', async () => {
    const before = await pimState();
    const again = await runAll(day1, 'again');
    expect(await pimState()).toEqual(before);
    for (const s of again.stores) {
      expect(s.products).toMatchObject({ added: 0, changed: 0, rejected: 3 });
      expect(s.draftsCreated + s.productsUpdated).toBe(0);
      expect(s.products.unchanged + s.products.conflicting).toBe(s.products.good);
    }
  });

  it('the next day picks up one shelf-price change and only the new POS sales; an enriched draft keeps its title', async () => {
    const draftId = (await pim.db.select().from(products).where(eq(products.status, 'DRAFT'))).find((d) =>
      d.title.startsWith('NEW-900001-1'),
    )!.id;
    await updateProduct(pim.db, draftId, { title: 'Island Choice Coconut Water 330 ml', status: 'ACTIVE' });
    const emRows = await store.db.select().from(storeProducts).where(eq(storeProducts.storeCode, 'EM'));
    priceSku = emRows.find((e) => e.posSku === `EM-${e.sku}` && e.sku !== deletedSku)!.sku;
    await store.db
      .update(storeProducts)
      .set({ shelfPrice: '123.45' })
      .where(and(eq(storeProducts.storeCode, 'EM'), eq(storeProducts.sku, priceSku)));
    const [top] = await store.db.select({ id: sql<number>`max(${posSales.id})` }).from(posSales);
    const saleId = Number(top!.id) + 1;
    await store.db
      .insert(posSales)
      .values({ id: saleId, storeCode: 'C', sku: priceSku, quantity: 2, amount: '9.00', soldAt: new Date() });
    const before = await pimState();

    const next = await runAll(day2, 'next');

    const em = next.stores.find((s) => s.storeCode === 'EM')!;
    expect(em.products).toMatchObject({ added: 0, changed: 1 });
    const change = (lines(await getText(config.aws.buckets.lake, em.keys.diff)) as unknown as DiffRow[]).find(
      (d) => d.status === 'changed',
    )!;
    expect(change.sku).toBe(priceSku);
    expect(change.reason).toMatch(/^shelf_price [\d.]+ → 123\.45$/);
    const [attr] = await pim.db
      .select()
      .from(storeAttributes)
      .where(and(eq(storeAttributes.storeCode, 'EM'), eq(storeAttributes.key, `shelf_price.${priceSku}`)));
    expect(attr!.value).toBe('123.45');
    expect(await productsRecordedAfter(before.outbox)).toEqual([attr!.productId]);

    const c = next.stores.find((s) => s.storeCode === 'C')!;
    expect(c.products).toMatchObject({ added: 0, changed: 0 });
    expect(c.posSales.read).toBe(1);
    const manifest = JSON.parse(
      await getText(config.aws.buckets.lake, instoreManifestKey(day2, 'C')),
    ) as InstoreManifest;
    const previous = JSON.parse(
      await getText(config.aws.buckets.lake, instoreManifestKey(day1, 'C')),
    ) as InstoreManifest;
    expect(manifest.posSales).toEqual({ afterId: previous.posSales.throughId, throughId: saleId });
    expect(previous.posSales.throughId).toBeGreaterThan(0);

    const [d] = await pim.db.select().from(products).where(eq(products.id, draftId));
    expect(d!.title).toBe('Island Choice Coconut Water 330 ml');
    expect(d!.status).toBe('ACTIVE');
  });

  it('checks the stock totals against the ledger: counts the differences and lists them in the lake', async () => {
    const day3 = new Date(Date.parse(`${day2}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const ledger = createLedger({
      pim: pim.pool,
      store: store.pool,
      inventory,
      s3: deps.s3,
      quarantineBucket: config.aws.buckets.quarantine,
    });
    // The continuous pickup brings the store DB's counts and POS sales into the ledger.
    while ((await pickUpPass({ store: store.pool, inventory, ledger })).applied > 0);
    const cStock = (await store.db.select().from(stock).where(eq(stock.storeCode, 'C')))
      .filter((r) => r.onHand > 0 && /^[A-Z]{3}-\d{6}-\d$/.test(r.sku) && r.sku !== priceSku)
      .sort((a, b) => a.sku.localeCompare(b.sku));
    const [recounted, adjusted, untouched] = cStock as [(typeof cStock)[0], (typeof cStock)[0], (typeof cStock)[0]];
    // The store recounts one SKU after the last pickup (the ledger has not seen it yet) …
    await store.db
      .update(stock)
      .set({ onHand: recounted.onHand + 7 })
      .where(and(eq(stock.storeCode, 'C'), eq(stock.sku, recounted.sku)));
    // … and the ledger moves another that the store DB's count does not show (a correction made in the ledger).
    await ledger.applyMovements(
      [
        {
          key: `test/adjust/${adjusted.sku}`,
          kind: 'adjustment',
          sku: adjusted.sku,
          location: 'C',
          quantity: -3,
          occurredAt: new Date().toISOString(),
        },
      ],
      { source: 'test' },
    );
    const [level] = (await inventory.query('SELECT on_hand FROM stock_levels WHERE sku = ? AND location = ?', [
      priceSku,
      'C',
    ])) as unknown as [{ on_hand: number }[]];

    const result = await runAll(day3, 'ledger-check');

    const c = result.stores.find((s) => s.storeCode === 'C')!;
    expect(c.keys.ledgerCheck).toBe(`product-detail/dt=${day3}/store=C/stock-vs-ledger.ndjson`);
    const listed = lines(await getText(config.aws.buckets.lake, c.keys.ledgerCheck)) as unknown as LedgerDifference[];
    expect(c.ledgerCheck.differing).toBe(listed.length);
    expect(c.ledgerCheck.matching + c.ledgerCheck.differing).toBe(c.ledgerCheck.compared);
    const bySku = new Map(listed.map((d) => [d.sku, d]));
    expect(bySku.get(recounted.sku)).toEqual({
      storeCode: 'C',
      sku: recounted.sku,
      storeCount: recounted.onHand + 7,
      ledgerOnHand: recounted.onHand,
      difference: -7,
      reason: 'ledger_differs',
    });
    expect(bySku.get(adjusted.sku)).toMatchObject({
      storeCount: adjusted.onHand,
      ledgerOnHand: adjusted.onHand - 3,
      difference: -3,
    });
    // The POS sale of the day before is in the ledger; the store DB's count was not lowered by it.
    const [row] = await store.db
      .select()
      .from(stock)
      .where(and(eq(stock.storeCode, 'C'), eq(stock.sku, priceSku)));
    expect(bySku.get(priceSku)).toMatchObject({ storeCount: row?.onHand ?? null, ledgerOnHand: level![0]!.on_hand });
    expect(bySku.has(untouched.sku)).toBe(false);
    for (const d of listed) expect(d.difference).toBe((d.ledgerOnHand ?? 0) - (d.storeCount ?? 0));
    expect(c.ledgerCheck.differing).toBeGreaterThanOrEqual(3);
  });
});
