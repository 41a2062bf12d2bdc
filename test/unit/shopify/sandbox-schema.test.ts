import { describe, expect, it } from 'vitest';
import {
  isEnumType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLNamedType,
} from 'graphql';
import { sandboxSchema } from '../../../sandbox/shopify/schema';
import { realShopifySchema } from '../../support/shopify-schema';

interface Arg {
  name: string;
  type: unknown;
  defaultValue?: unknown;
}
interface Field extends Arg {
  args?: readonly Arg[];
  deprecationReason?: string | null;
}
const json = (v: unknown) => (v === undefined ? 'none' : JSON.stringify(v));

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
    const realFields = real.getFields() as Record<string, Field>;
    const mineFields = mine.getFields() as Record<string, Field>;
    for (const f of Object.values(mineFields)) {
      const rf = realFields[f.name];
      if (!rf) {
        out.push(`${mine.name}.${f.name}: no such field`);
        continue;
      }
      if (String(rf.type) !== String(f.type))
        out.push(`${mine.name}.${f.name}: type ${String(f.type)} ≠ ${String(rf.type)}`);
      // A default the sandbox lacks changes behaviour (e.g. productSet synchronous, orders sortKey).
      if (json(f.defaultValue) !== json(rf.defaultValue))
        out.push(`${mine.name}.${f.name}: default ${json(f.defaultValue)} ≠ ${json(rf.defaultValue)}`);
      if ((f.deprecationReason ?? null) !== (rf.deprecationReason ?? null))
        out.push(`${mine.name}.${f.name}: deprecation differs`);
      for (const a of f.args ?? []) {
        const ra = rf.args?.find((x) => x.name === a.name);
        if (!ra) out.push(`${mine.name}.${f.name}(${a.name}): no such argument`);
        else if (String(ra.type) !== String(a.type))
          out.push(`${mine.name}.${f.name}(${a.name}): type ${String(a.type)} ≠ ${String(ra.type)}`);
        else if (json(ra.defaultValue) !== json(a.defaultValue))
          out.push(`${mine.name}.${f.name}(${a.name}): default ${json(a.defaultValue)} ≠ ${json(ra.defaultValue)}`);
      }
      // A document valid for the sandbox must be valid for Shopify: required arguments cannot be left out.
      for (const ra of rf.args ?? [])
        if (isNonNullType(ra.type) && ra.defaultValue === undefined && !f.args?.some((a) => a.name === ra.name))
          out.push(`${mine.name}.${f.name}(${ra.name}): required by Shopify, missing in the sandbox`);
    }
    if (isInputObjectType(real))
      for (const rf of Object.values(realFields))
        if (isNonNullType(rf.type) && rf.defaultValue === undefined && !mineFields[rf.name])
          out.push(`${mine.name}.${rf.name}: required input field missing in the sandbox`);
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
