import { relations } from 'drizzle-orm';
import { channelMappings, images, products, storeAttributes, subDepartments, syncErrors, variants } from './schema';

// The PIM's relations in one place, for drizzle's relational queries (`db.query.products.findMany({ with })`).

export const subDepartmentsRelations = relations(subDepartments, ({ many }) => ({ products: many(products) }));

export const productsRelations = relations(products, ({ one, many }) => ({
  subDepartment: one(subDepartments, { fields: [products.subDepartmentCode], references: [subDepartments.code] }),
  variants: many(variants),
  images: many(images),
  storeAttributes: many(storeAttributes),
  channelMappings: many(channelMappings),
  syncErrors: many(syncErrors),
}));

export const variantsRelations = relations(variants, ({ one }) => ({
  product: one(products, { fields: [variants.productId], references: [products.id] }),
}));

export const imagesRelations = relations(images, ({ one }) => ({
  product: one(products, { fields: [images.productId], references: [products.id] }),
}));

export const storeAttributesRelations = relations(storeAttributes, ({ one }) => ({
  product: one(products, { fields: [storeAttributes.productId], references: [products.id] }),
}));

export const channelMappingsRelations = relations(channelMappings, ({ one }) => ({
  product: one(products, { fields: [channelMappings.pimProductId], references: [products.id] }),
}));

export const syncErrorsRelations = relations(syncErrors, ({ one }) => ({
  product: one(products, { fields: [syncErrors.pimProductId], references: [products.id] }),
}));
