import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every workflow sets so operators can find runs by business key in the Temporal UI. */
export const SA = {
  ProductId: defineSearchAttributeKey('ProductId', SearchAttributeType.KEYWORD),
  Sku: defineSearchAttributeKey('Sku', SearchAttributeType.KEYWORD_LIST),
  StoreCode: defineSearchAttributeKey('StoreCode', SearchAttributeType.KEYWORD),
  Channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  Pipeline: defineSearchAttributeKey('Pipeline', SearchAttributeType.KEYWORD),
  SyncStatus: defineSearchAttributeKey('SyncStatus', SearchAttributeType.KEYWORD),
  OrderId: defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD),
  SyncWindow: defineSearchAttributeKey('SyncWindow', SearchAttributeType.KEYWORD),
} as const;

/** Name → type as the `temporal` CLI spells it (`--search-attribute Name=Type`). */
export const SEARCH_ATTRIBUTE_CLI_TYPES: Record<keyof typeof SA, 'Keyword' | 'KeywordList'> = {
  ProductId: 'Keyword',
  Sku: 'KeywordList',
  StoreCode: 'Keyword',
  Channel: 'Keyword',
  Pipeline: 'Keyword',
  SyncStatus: 'Keyword',
  OrderId: 'Keyword',
  SyncWindow: 'Keyword',
};

export const SYNC_STATUS = [
  'Pending',
  'Running',
  'Synced',
  'Skipped',
  'Invalid',
  'Failed',
  'Paused',
  'Completed',
  /** A file that could not be used at all, moved to rejected/ with its reason. */
  'Rejected',
] as const;
export type SyncStatus = (typeof SYNC_STATUS)[number];
