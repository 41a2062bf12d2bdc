import { afterEach, describe, expect, it } from 'vitest';
import { amazonSandbox, eventually, sleep, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

let h: AmazonSandboxHarness | undefined;
afterEach(async () => {
  await h?.sb.close();
  h = undefined;
});

type Submission = { sku: string; status: string; submissionId: string; issues?: { code: string; message: string }[] };
type Item = {
  sku: string;
  fulfillmentAvailability?: { fulfillmentChannelCode: string; quantity?: number }[];
  issues?: unknown[];
  summaries?: { status: string[] }[];
};

const quantityPatch = (value: unknown[]) => ({
  productType: 'GROCERY',
  patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value }],
});

async function setup(opts: Parameters<typeof amazonSandbox>[0] = {}) {
  h = await amazonSandbox({
    listingDelayMs: 1000,
    catalog: [{ sku: 'RICE-2KG', title: 'Rice 2 kg', quantity: 4 }],
    // Plenty of room: these tests are about the listing rules (sandbox-rate-limits.test.ts covers the plans).
    rateLimits: { patchListingsItem: { rate: 100, burst: 100 }, getListingsItem: { rate: 100, burst: 100 } },
    ...opts,
  });
  const { sellerId, marketplaceId } = h.sb.config;
  const item = (sku: string, q = '') =>
    `/listings/2021-08-01/items/${sellerId}/${encodeURIComponent(sku)}?marketplaceIds=${marketplaceId}${q}`;
  return { ...h, item };
}

describe('Amazon sandbox: Listings Items 2021-08-01', () => {
  // listingsItems_2021-08-01.json getListingsItem: includedData "Default: `summaries`"; enum includes
  // fulfillmentAvailability and issues; FulfillmentAvailability {fulfillmentChannelCode, quantity}.
  it('getListingsItem returns summaries by default, and fulfillmentAvailability and issues when asked', async () => {
    const { sp, item } = await setup();
    const plain = await sp<Item>('GET', item('RICE-2KG'));
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.body).sort()).toEqual(['sku', 'summaries']);
    expect(plain.body.summaries![0]!.status).toEqual(['BUYABLE', 'DISCOVERABLE']);
    const full = await sp<Item>('GET', item('RICE-2KG', '&includedData=fulfillmentAvailability,issues'));
    expect(full.body).toEqual({
      sku: 'RICE-2KG',
      fulfillmentAvailability: [{ fulfillmentChannelCode: 'DEFAULT', quantity: 4 }],
      issues: [],
    });
    const missing = await sp<{ errors: { code: string }[] }>('GET', item('NO-SUCH-SKU'));
    expect(missing.status).toBe(404); // responses.404 "The resource specified does not exist."
  });

  // patchListingsItem: ListingsItemSubmissionResponse.status "ACCEPTED: The listings submission was accepted for
  // processing." — processed asynchronously: the quantity shows after the configured delay.
  it('accepts a fulfillment_availability replace and shows the quantity only after the delay', async () => {
    const { sp, item } = await setup();
    const r = await sp<Submission>(
      'PATCH',
      item('RICE-2KG'),
      quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: 17 }]),
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sku: 'RICE-2KG', status: 'ACCEPTED', issues: [] });
    expect(r.body.submissionId).toMatch(/^\w+$/);
    const qty = async () =>
      (await sp<Item>('GET', item('RICE-2KG', '&includedData=fulfillmentAvailability'))).body
        .fulfillmentAvailability?.[0]?.quantity;
    expect(await qty()).toBe(4);
    await eventually(async () => ((await qty()) === 17 ? true : undefined), 3000);
  });

  // FulfillmentAvailability: "required": ["fulfillmentChannelCode"], quantity "type": "integer", "minimum": 0.
  it('answers INVALID with issues for a negative or fractional quantity or a missing channel code, changing nothing', async () => {
    const { sp, item, sb } = await setup({ listingDelayMs: 0 });
    for (const value of [
      [{ fulfillment_channel_code: 'DEFAULT', quantity: -1 }],
      [{ fulfillment_channel_code: 'DEFAULT', quantity: 2.5 }],
      [{ quantity: 3 }],
    ]) {
      const r = await sp<Submission>('PATCH', item('RICE-2KG'), quantityPatch(value));
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('INVALID');
      expect(r.body.issues!.length).toBeGreaterThan(0);
      expect(r.body.issues![0]).toMatchObject({ severity: 'ERROR' });
    }
    await sleep(20);
    expect(sb.state.quantity('RICE-2KG')).toBe(4);
  });

  // patchListingsItem description: "Only top-level listings item attributes can be patched. Patching nested
  // attributes is not supported."
  it('refuses a nested attribute path', async () => {
    const { sp, item } = await setup();
    const r = await sp<Submission>('PATCH', item('RICE-2KG'), {
      productType: 'GROCERY',
      patches: [{ op: 'replace', path: '/attributes/fulfillment_availability/0/quantity', value: [{ value: 3 }] }],
    });
    expect(r.body.status).toBe('INVALID');
    expect(r.body.issues![0]!.message).toMatch(/top-level/);
  });

  // mode enum ["VALIDATION_PREVIEW"]; status "VALID: … Only returned when the `mode` is `VALIDATION_PREVIEW`."
  it('VALIDATION_PREVIEW validates without changing the listing', async () => {
    const { sp, item, sb } = await setup({ listingDelayMs: 0 });
    const ok = await sp<Submission>(
      'PATCH',
      item('RICE-2KG', '&mode=VALIDATION_PREVIEW'),
      quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: 50 }]),
    );
    expect(ok.body.status).toBe('VALID');
    const bad = await sp<Submission>(
      'PATCH',
      item('RICE-2KG', '&mode=VALIDATION_PREVIEW'),
      quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: -5 }]),
    );
    expect(bad.body.status).toBe('INVALID');
    await sleep(20);
    expect(sb.state.quantity('RICE-2KG')).toBe(4);
    const wrongMode = await sp(
      'PATCH',
      item('RICE-2KG', '&mode=LIVE'),
      quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }]),
    );
    expect(wrongMode.status).toBe(400);
  });

  // ListingsItemPatchRequest: required ["productType","patches"], patches minItems 1; PatchOperation.op enum
  // [add, replace, merge, delete]; marketplaceIds required.
  it('rejects bodies and parameters the model does not allow with 400 InvalidInput', async () => {
    const { sp, item, sb } = await setup();
    const cases: [string, unknown][] = [
      [item('RICE-2KG'), { productType: 'GROCERY', patches: [] }],
      [item('RICE-2KG'), { patches: [{ op: 'replace', path: '/attributes/x', value: [{}] }] }],
      [item('RICE-2KG'), { productType: 'GROCERY', patches: [{ op: 'upsert', path: '/attributes/x', value: [{}] }] }],
      [
        `/listings/2021-08-01/items/${sb.config.sellerId}/RICE-2KG`,
        quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }]),
      ],
      [item('RICE-2KG', '&colour=red'), quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }])],
    ];
    for (const [path, body] of cases) {
      const r = await sp<{ errors: { code: string; details: string }[] }>('PATCH', path, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.errors[0]!.code).toBe('InvalidInput');
    }
    const notJson = await sp('PATCH', item('RICE-2KG'), 'productType=GROCERY', { 'content-type': 'text/plain' });
    expect(notJson.status).toBe(415); // responses.415 "The request payload is in an unsupported format."
  });

  // amzn/selling-partner-api-docs#3748 (Amazon): a patch for a SKU without a listing is accepted; it does not make a
  // complete, buyable listing.
  it('accepts a patch for an unknown SKU as an offer-only listing that shoppers cannot buy', async () => {
    const { sp, item } = await setup({ listingDelayMs: 1000 });
    const r = await sp<Submission>(
      'PATCH',
      item('NEW-SKU'),
      quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: 5 }]),
    );
    expect(r.body.status).toBe('ACCEPTED');
    expect((await sp('GET', item('NEW-SKU'))).status).toBe(404); // exists once the submission is processed
    await sleep(1100);
    const got = await sp<Item>('GET', item('NEW-SKU'));
    expect(got.body.summaries![0]!.status).toEqual([]);
    expect(h!.sb.marketplace.placeOrder({ skus: ['NEW-SKU'] })).toBeUndefined();
  });

  it('applies accepted changes in submission order and shows issues the inspection API set', async () => {
    const { sp, item, inspect, sb } = await setup({ listingDelayMs: 100 });
    for (const q of [1, 2, 3])
      await sp('PATCH', item('RICE-2KG'), quantityPatch([{ fulfillment_channel_code: 'DEFAULT', quantity: q }]));
    await eventually(async () => (sb.state.quantity('RICE-2KG') === 3 ? true : undefined), 3000);
    await inspect('/listings/RICE-2KG/issues', {
      issues: [{ code: '18027', message: 'Listing suppressed', severity: 'ERROR', categories: ['INVALID_ATTRIBUTE'] }],
    });
    const r = await sp<Item>('GET', item('RICE-2KG', '&includedData=issues'));
    expect(r.body.issues).toHaveLength(1);
  });

  it('refuses another seller (403) and an unknown marketplace (400)', async () => {
    const { sp, sb } = await setup();
    expect(
      (await sp('GET', `/listings/2021-08-01/items/OTHERSELLER/RICE-2KG?marketplaceIds=${sb.config.marketplaceId}`))
        .status,
    ).toBe(403);
    expect(
      (await sp('GET', `/listings/2021-08-01/items/${sb.config.sellerId}/RICE-2KG?marketplaceIds=A1F83G8C2ARO7P`))
        .status,
    ).toBe(400);
  });
});
