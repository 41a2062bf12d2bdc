import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { registeredDocuments } from '../../../connectors/shopify/documents/define';
import { sandboxSchema } from '../../../sandbox/shopify/schema';
import { realShopifySchema } from '../../support/shopify-schema';

// Fidelity test 1: every GraphQL document the project sends to Shopify validates against the published schema.
// Documents are discovered, not listed: every module under connectors/shopify, activities and domain that
// declares GraphQL (document(), or an operation in a template literal) is imported, and we collect
// (a) every document() registered, (b) exported strings that are GraphQL operations (bulk mutation/query bodies),
// (c) exported *Query/*Mutation builder functions, called with sample dates/search strings.
const root = path.resolve(import.meta.dirname, '../../..');
const SCAN = ['connectors/shopify', 'activities', 'domain'];
const LOOKS_LIKE_GRAPHQL = /\bdocument[<(]|`\s*(query|mutation)\b|`\s*\{\s*\w+\s*[({]/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') && LOOKS_LIKE_GRAPHQL.test(fs.readFileSync(path.join(root, rel), 'utf8'))
      ? [rel]
      : [];
  });
}

function isOperation(text: string): boolean {
  try {
    return /^\s*(query|mutation|\{)/.test(text) && parse(text).definitions.length > 0;
  } catch {
    return false;
  }
}

const found = new Map<string, string>();
beforeAll(async () => {
  for (const file of SCAN.flatMap(sourceFiles)) {
    const mod = (await import(path.join(root, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'string' && isOperation(value)) found.set(`${file}#${name}`, value);
      if (typeof value === 'function' && /(Query|Mutation)(For)?$/.test(name) && !/^[A-Z]/.test(name)) {
        const built: unknown = (value as (...a: string[]) => unknown)('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z');
        // A name like startBulkMutation is a call, not a builder: its rejected promise is no document.
        if (built instanceof Promise) built.catch(() => undefined);
        if (typeof built === 'string' && isOperation(built)) found.set(`${file}#${name}()`, built);
      }
    }
  }
  // Two modules may declare documents of the same name (different selections): keep both.
  registeredDocuments().forEach((doc, i) =>
    found.set(found.has(`document ${doc.name}`) ? `document ${doc.name} (${i})` : `document ${doc.name}`, doc.query),
  );
});

describe('GraphQL documents the project sends', () => {
  it('are discovered across the connector and the activities', () => {
    expect(found.size).toBeGreaterThanOrEqual(24);
    expect([...found.keys()]).toEqual(
      expect.arrayContaining(['document productSet', 'document inventorySetQuantities', 'document ordersPage']),
    );
  });

  it("all validate against Shopify's published 2026-10 schema with zero errors", () => {
    const schema = realShopifySchema();
    const problems = [...found].flatMap(([name, query]) =>
      validate(schema, parse(query)).map((e) => `${name}: ${e.message}`),
    );
    expect(problems).toEqual([]);
  });

  it('are all served by the sandbox too', () => {
    const problems = [...found].flatMap(([name, query]) =>
      validate(sandboxSchema, parse(query)).map((e) => `${name}: ${e.message}`),
    );
    expect(problems).toEqual([]);
  });

  it('the check can fail: deprecated risks and unknown fields are caught', () => {
    const errors = validate(realShopifySchema(), parse('{ order(id: "1") { risks { level } notAField } }'));
    expect(errors.map((e) => e.message).join('\n')).toMatch(/notAField/);
  });

  it('uses Order.risk, never the deprecated Order.risks', () => {
    expect([...found.values()].filter((q) => /\brisks\s*[({]/.test(q))).toEqual([]);
  });
});
