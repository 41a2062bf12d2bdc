import { randomUUID } from 'node:crypto';
import { errorReply, iso, type Call, type Ctx, type Handler, type Reply } from './api';
import { DEFAULT_CHANNEL, type Attributes, type Listing, type ListingIssue } from './state';

/** A JSON Patch operation on a listing (PatchOperation in listingsItems_2021-08-01.json, the feed's `patches`). */
export interface PatchOp {
  op: 'add' | 'replace' | 'merge' | 'delete';
  path: string;
  value?: Record<string, unknown>[];
}

// "Only top-level listings item attributes can be patched. Patching nested attributes is not supported."
// (listingsItems_2021-08-01.json, patchListingsItem)
const TOP_LEVEL = /^\/attributes\/([a-z0-9_]+)$/;

/**
 * The issues that make a patch INVALID, checked as Amazon's models describe them; the quantity rules are
 * FulfillmentAvailability's (fulfillmentChannelCode required, quantity an integer ≥ 0), applied to the
 * `fulfillment_availability` attribute the patch carries.
 */
export function patchIssues(patches: PatchOp[]): ListingIssue[] {
  const issues: ListingIssue[] = [];
  for (const p of patches) {
    const m = TOP_LEVEL.exec(p.path);
    if (!m) {
      issues.push({
        code: '90000900',
        message: `'${p.path}' is not a top-level attribute path: only top-level listings item attributes can be patched.`,
        severity: 'ERROR',
        categories: ['INVALID_ATTRIBUTE'],
      });
      continue;
    }
    const name = m[1]!;
    if (p.op !== 'delete' && (!Array.isArray(p.value) || p.value.length === 0)) {
      issues.push(required(name, 'value'));
      continue;
    }
    if (name !== 'fulfillment_availability' || p.op === 'delete') continue;
    for (const entry of p.value!) {
      const code = entry.fulfillment_channel_code;
      if (typeof code !== 'string' || code === '') issues.push(required(name, 'fulfillment_channel_code'));
      const q = entry.quantity;
      if (q !== undefined && !(typeof q === 'number' && Number.isInteger(q) && q >= 0))
        issues.push({
          code: '90000900',
          message: `The value '${JSON.stringify(q)}' of 'quantity' for the attribute '${name}' is invalid: it must be an integer of at least 0.`,
          severity: 'ERROR',
          attributeNames: [name],
          categories: ['INVALID_ATTRIBUTE'],
        });
    }
  }
  return issues;
}

function required(attribute: string, field: string): ListingIssue {
  // The report example's code and wording for a value that is missing (listings-feed-processing-report-schema-v2.example.json).
  return {
    code: '90220',
    message: `'${field}' is required but not supplied for the attribute '${attribute}'.`,
    severity: 'ERROR',
    attributeNames: [attribute],
    categories: ['MISSING_ATTRIBUTE'],
  };
}

/** Applies valid patches to attributes (replace/add: the attribute's new value; merge: by fulfillment channel or whole). */
export function applyPatches(attrs: Attributes, patches: PatchOp[]): void {
  for (const p of patches) {
    const name = TOP_LEVEL.exec(p.path)![1]!;
    if (p.op === 'delete') delete attrs[name];
    else if (p.op === 'merge' && attrs[name] && name === 'fulfillment_availability') {
      const list = attrs[name];
      for (const v of p.value!) {
        const i = list.findIndex((e) => e.fulfillment_channel_code === v.fulfillment_channel_code);
        if (i >= 0) list[i] = { ...list[i], ...structuredClone(v) };
        else list.push(structuredClone(v));
      }
    } else attrs[name] = structuredClone(p.value!);
  }
}

/** An accepted submission: the listing (created if new, as Amazon does for an offer-only patch) changes after the delay. */
export function acceptChange(ctx: Ctx, sku: string, productType: string, apply: (a: Attributes) => void): string {
  const { state } = ctx;
  const at = ctx.now();
  let l = state.listings.get(sku);
  if (!l) {
    l = {
      visibleFrom: at + ctx.config.listingDelayMs,
      sku,
      productType,
      price: '4.99',
      buyable: ctx.config.autoCatalog,
      attributes: {},
      issues: [],
      createdDate: iso(at),
      lastUpdatedDate: iso(at),
      pending: [],
    };
    if (ctx.config.autoCatalog) l.asin = `B0${String(state.nextId()).padStart(8, '0')}`;
    state.listings.set(sku, l);
  }
  const submissionId = randomUUID().replace(/-/g, '');
  l.lastUpdatedDate = iso(at);
  l.pending.push({ visibleAt: at + ctx.config.listingDelayMs, submissionId, apply });
  return submissionId;
}

function checkSeller(ctx: Ctx, call: Call): Reply | undefined {
  if (call.params.sellerId !== ctx.config.sellerId)
    return errorReply(
      403,
      'Unauthorized',
      'Access to requested resource is denied.',
      'The seller id is not authorized.',
    );
  const ids = (call.params.marketplaceIds as string[] | undefined) ?? [];
  const unknown = ids.filter((m) => m !== ctx.config.marketplaceId);
  if (unknown.length) return errorReply(400, 'InvalidInput', `Invalid marketplaceIds: ${unknown.join(', ')}`);
}

function itemView(ctx: Ctx, l: Listing, included: string[]): Record<string, unknown> {
  const mk = ctx.config.marketplaceId;
  const out: Record<string, unknown> = { sku: l.sku };
  for (const part of included) {
    if (part === 'summaries')
      out.summaries = [
        {
          marketplaceId: mk,
          ...(l.asin ? { asin: l.asin } : {}),
          productType: l.productType,
          conditionType: 'new_new',
          status: l.buyable ? ['BUYABLE', 'DISCOVERABLE'] : [],
          ...(l.title ? { itemName: l.title } : {}),
          createdDate: l.createdDate,
          lastUpdatedDate: l.lastUpdatedDate,
        },
      ];
    else if (part === 'attributes') out.attributes = structuredClone(l.attributes);
    else if (part === 'issues') out.issues = structuredClone(l.issues);
    else if (part === 'fulfillmentAvailability')
      out.fulfillmentAvailability = (l.attributes.fulfillment_availability ?? []).map((e) => ({
        fulfillmentChannelCode: String(e.fulfillment_channel_code ?? DEFAULT_CHANNEL),
        ...(typeof e.quantity === 'number' ? { quantity: e.quantity } : {}),
      }));
    else if (part === 'productTypes') out.productTypes = [{ marketplaceId: mk, productType: l.productType }];
    else out[part] = []; // offers, procurement, relationships: the sandbox keeps none
  }
  return out;
}

export function listingsHandlers(ctx: Ctx): Record<string, Handler> {
  const { state } = ctx;
  return {
    getListingsItem: (call) => {
      const denied = checkSeller(ctx, call);
      if (denied) return denied;
      const l = state.listing(call.params.sku as string);
      if (!l)
        return errorReply(
          404,
          'NOT_FOUND',
          `SKU '${String(call.params.sku)}' not found in marketplace ${ctx.config.marketplaceId}`,
        );
      // "Default: `summaries`." (listingsItems_2021-08-01.json, getListingsItem includedData)
      return { status: 200, body: itemView(ctx, l, (call.params.includedData as string[]) ?? ['summaries']) };
    },

    searchListingsItems: (call) => {
      const denied = checkSeller(ctx, call);
      if (denied) return denied;
      const skus = call.params.identifiersType === 'SKU' ? new Set(call.params.identifiers as string[]) : undefined;
      const all = [...state.listings.keys()].filter((s) => (!skus || skus.has(s)) && state.listing(s)).sort();
      const size = (call.params.pageSize as number | undefined) ?? 10;
      const start = call.params.pageToken
        ? Number(Buffer.from(String(call.params.pageToken), 'base64url').toString())
        : 0;
      if (!Number.isInteger(start) || start < 0) return errorReply(400, 'InvalidInput', 'Invalid pageToken');
      const page = all.slice(start, start + size).map((s) => state.listing(s)!);
      const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
      return {
        status: 200,
        body: {
          numberOfResults: all.length,
          ...(next || start ? { pagination: { ...(next ? { nextToken: next } : {}) } } : {}),
          items: page.map((l) => itemView(ctx, l, (call.params.includedData as string[]) ?? ['summaries'])),
        },
      };
    },

    patchListingsItem: (call) => {
      const denied = checkSeller(ctx, call);
      if (denied) return denied;
      const sku = call.params.sku as string;
      const body = call.body as { productType: string; patches: PatchOp[] };
      const issues = patchIssues(body.patches);
      const preview = call.params.mode === 'VALIDATION_PREVIEW';
      const withIssues = ((call.params.includedData as string[] | undefined) ?? ['issues']).includes('issues');
      const reply = (status: string, submissionId: string) => ({
        status: 200,
        body: { sku, status, submissionId, ...(withIssues ? { issues } : {}) },
      });
      if (issues.length) return reply('INVALID', randomUUID().replace(/-/g, ''));
      // "VALID: The listings submission was valid. Only returned when the `mode` is `VALIDATION_PREVIEW`."
      if (preview) return reply('VALID', randomUUID().replace(/-/g, ''));
      const id = acceptChange(ctx, sku, body.productType, (attrs) => applyPatches(attrs, body.patches));
      return { ...reply('ACCEPTED', id), commits: true };
    },

    deleteListingsItem: (call) => {
      const denied = checkSeller(ctx, call);
      if (denied) return denied;
      const sku = call.params.sku as string;
      state.listings.delete(sku); // deleteListingsItem declares no 404: an unknown SKU is accepted too
      return {
        status: 200,
        body: { sku, status: 'ACCEPTED', submissionId: randomUUID().replace(/-/g, ''), issues: [] },
        commits: true,
      };
    },
  };
}
