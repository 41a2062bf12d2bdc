import { relations } from 'drizzle-orm';
import { loyaltyTransactions, posSales, stock, storeProducts, stores } from './schema';

// The store system's relations in one place, for drizzle's relational queries.

export const storesRelations = relations(stores, ({ many }) => ({
  products: many(storeProducts),
  stock: many(stock),
  sales: many(posSales),
  loyaltyTransactions: many(loyaltyTransactions),
}));

export const storeProductsRelations = relations(storeProducts, ({ one }) => ({
  store: one(stores, { fields: [storeProducts.storeCode], references: [stores.code] }),
}));

export const stockRelations = relations(stock, ({ one }) => ({
  store: one(stores, { fields: [stock.storeCode], references: [stores.code] }),
}));

export const posSalesRelations = relations(posSales, ({ one }) => ({
  store: one(stores, { fields: [posSales.storeCode], references: [stores.code] }),
}));

export const loyaltyTransactionsRelations = relations(loyaltyTransactions, ({ one }) => ({
  store: one(stores, { fields: [loyaltyTransactions.storeCode], references: [stores.code] }),
}));
