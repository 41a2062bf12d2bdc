import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as documents from '../../connectors/shopify/documents';
import { sandboxSchema } from '../../sandbox/shopify/schema';
import { realShopifySchema } from '../support/shopify-schema';

// Every document the connector can send, found by walking the module's exports, so a new one is covered automatically.
const sent: [string, string][] = Object.entries(documents).flatMap(([name, value]): [string, string][] => {
  if (typeof value === 'string' && /^\s*(query|mutation|\{)/.test(value)) return [[name, value]];
  if (typeof value === 'function') {
    const built: unknown = (value as (s: string) => unknown)("updated_at:>='2026-01-01'");
    return typeof built === 'string' ? [[name, built]] : [];
  }
  if (value && typeof value === 'object' && 'query' in value) return [[name, (value as { query: string }).query]];
  return [];
});

describe('connector documents', () => {
  it('finds the documents to check', () => {
    expect(sent.length).toBeGreaterThanOrEqual(15);
  });

  it.each(sent)("%s validates against Shopify's published 2026-10 schema", (_name, query) => {
    expect(validate(realShopifySchema(), parse(query)).map((e) => e.message)).toEqual([]);
  });

  it.each(sent)('%s is served by the sandbox', (_name, query) => {
    expect(validate(sandboxSchema, parse(query)).map((e) => e.message)).toEqual([]);
  });

  it('would catch a document the real schema rejects', () => {
    expect(
      validate(realShopifySchema(), parse('{ order(id: "1") { risks { level } notAField } }')).length,
    ).toBeGreaterThan(0);
  });
});
