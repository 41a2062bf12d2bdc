import { describe, expect, it } from 'vitest';
import { isEnumType, isInputObjectType, isObjectType, isScalarType, type GraphQLNamedType } from 'graphql';
import { sandboxSchema } from '../../sandbox/shopify/schema';
import { realShopifySchema } from '../support/shopify-schema';

/** Every difference between a sandbox type and the real type of the same name; empty when it is a faithful subset. */
function differences(mine: GraphQLNamedType): string[] {
  const real = realShopifySchema().getType(mine.name === 'QueryRoot' ? 'QueryRoot' : mine.name);
  if (!real) return [`${mine.name}: no such type in Shopify's schema`];
  if (real.constructor !== mine.constructor) return [`${mine.name}: kind differs`];
  const out: string[] = [];
  if (isEnumType(mine) && isEnumType(real)) {
    const values = new Set(real.getValues().map((v) => v.name));
    for (const v of mine.getValues()) if (!values.has(v.name)) out.push(`${mine.name}.${v.name}: no such enum value`);
  }
  if ((isObjectType(mine) && isObjectType(real)) || (isInputObjectType(mine) && isInputObjectType(real))) {
    const realFields = real.getFields() as Record<
      string,
      { type: unknown; args?: readonly { name: string; type: unknown }[] }
    >;
    for (const f of Object.values(mine.getFields()) as {
      name: string;
      type: unknown;
      args?: readonly { name: string; type: unknown }[];
    }[]) {
      const rf = realFields[f.name];
      if (!rf) {
        out.push(`${mine.name}.${f.name}: no such field`);
        continue;
      }
      if (String(rf.type) !== String(f.type))
        out.push(`${mine.name}.${f.name}: type ${String(f.type)} ≠ ${String(rf.type)}`);
      for (const a of f.args ?? []) {
        const ra = rf.args?.find((x) => x.name === a.name);
        if (!ra) out.push(`${mine.name}.${f.name}(${a.name}): no such argument`);
        else if (String(ra.type) !== String(a.type))
          out.push(`${mine.name}.${f.name}(${a.name}): type ${String(a.type)} ≠ ${String(ra.type)}`);
      }
    }
  }
  return out;
}

describe('sandbox schema fidelity', () => {
  const types = Object.values(sandboxSchema.getTypeMap()).filter((t) => !t.name.startsWith('__'));

  it('exposes only types, fields, arguments and enum values that Shopify 2026-10 has, with the same types', () => {
    expect(types.length).toBeGreaterThan(60);
    expect(types.flatMap(differences)).toEqual([]);
  });

  it('uses the same root types and the @idempotent directive signature', () => {
    expect(sandboxSchema.getQueryType()?.name).toBe(realShopifySchema().getQueryType()?.name);
    expect(sandboxSchema.getMutationType()?.name).toBe(realShopifySchema().getMutationType()?.name);
    const mine = sandboxSchema.getDirective('idempotent')!;
    const real = realShopifySchema().getDirective('idempotent')!;
    expect(mine.args.map((a) => `${a.name}:${String(a.type)}`)).toEqual(
      real.args.map((a) => `${a.name}:${String(a.type)}`),
    );
    expect(mine.locations).toEqual(real.locations);
  });

  it('catches a field the real schema lacks (the check itself can fail)', () => {
    const scalar = types.find(isScalarType)!;
    expect(differences(scalar)).toEqual([]);
    const fake = { ...sandboxSchema.getType('Shop')!, name: 'NotAShopifyType' } as GraphQLNamedType;
    expect(differences(fake)).toEqual(["NotAShopifyType: no such type in Shopify's schema"]);
  });
});
