import { relations } from 'drizzle-orm';
import { customers, lineItems, orders, refundLineItems, refunds, riskAssessments, taxLines } from './schema';

// The orders database's relations in one place, for drizzle's relational queries.

export const customersRelations = relations(customers, ({ many }) => ({ orders: many(orders) }));

export const ordersRelations = relations(orders, ({ one, many }) => ({
  customer: one(customers, { fields: [orders.customerId], references: [customers.id] }),
  lineItems: many(lineItems),
  refunds: many(refunds),
  taxLines: many(taxLines),
  riskAssessments: many(riskAssessments),
}));

export const lineItemsRelations = relations(lineItems, ({ one, many }) => ({
  order: one(orders, { fields: [lineItems.orderId], references: [orders.id] }),
  refundLineItems: many(refundLineItems),
}));

export const refundsRelations = relations(refunds, ({ one, many }) => ({
  order: one(orders, { fields: [refunds.orderId], references: [orders.id] }),
  lineItems: many(refundLineItems),
}));

export const refundLineItemsRelations = relations(refundLineItems, ({ one }) => ({
  refund: one(refunds, { fields: [refundLineItems.refundId], references: [refunds.id] }),
  lineItem: one(lineItems, { fields: [refundLineItems.lineItemId], references: [lineItems.id] }),
}));

export const taxLinesRelations = relations(taxLines, ({ one }) => ({
  order: one(orders, { fields: [taxLines.orderId], references: [orders.id] }),
}));

export const riskAssessmentsRelations = relations(riskAssessments, ({ one }) => ({
  order: one(orders, { fields: [riskAssessments.orderId], references: [orders.id] }),
}));
