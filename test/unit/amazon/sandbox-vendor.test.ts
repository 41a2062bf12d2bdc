import { afterEach, describe, expect, it } from 'vitest';
import { amazonSandbox, eventually, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

let h: AmazonSandboxHarness | undefined;
afterEach(async () => {
  await h?.sb.close();
  h = undefined;
});

type Tx = {
  payload: {
    transactionStatus: { transactionId: string; status: string; errors?: { code: string; message: string }[] };
  };
};

async function setup(opts: Parameters<typeof amazonSandbox>[0] = {}) {
  h = await amazonSandbox({ transactionMs: 150, ...opts });
  const harness = h;
  const submit = async (warehouseId: string, inventory: Record<string, unknown>) => {
    const r = await harness.sp<{ payload: { transactionId: string } }>(
      'POST',
      `/vendor/directFulfillment/inventory/v1/warehouses/${warehouseId}/items`,
      { inventory: { sellingParty: { partyId: harness.sb.config.vendorPartyId }, ...inventory } },
    );
    return r;
  };
  const final = async (transactionId: string) => {
    const seen = new Set<string>();
    const tx = await eventually(async () => {
      const r = await harness.sp<Tx>('GET', `/vendor/transactions/v1/transactions/${transactionId}`);
      const status = r.body.payload.transactionStatus.status;
      seen.add(status);
      return status === 'Processing' ? undefined : r.body.payload.transactionStatus;
    });
    return { ...tx, seen };
  };
  return { ...harness, submit, final };
}

const item = (id: string, amount: number) => ({
  vendorProductIdentifier: id,
  availableQuantity: { amount, unitOfMeasure: 'Each' },
});

describe('Amazon sandbox: Vendor Direct Fulfillment inventory v1 and transaction status', () => {
  // vendorDirectFulfillmentInventoryV1.json submitInventoryUpdate: 202 SubmitInventoryUpdateResponse {payload:
  // {transactionId}} "GUID to identify this transaction"; vendorTransactionStatus.json Transaction.status enum
  // [Failure, Processing, Success].
  it('accepts an update with a transactionId that goes Processing → Success, then applies it', async () => {
    const { submit, final, sb, inspect } = await setup({ transactionMs: 800 });
    const r = await submit('EM', { isFullUpdate: false, items: [item('MILK-1L', 12), item('BREAD-WHITE', 5)] });
    expect(r.status).toBe(202);
    expect(r.body.payload.transactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sb.state.vendorInventory.get('EM')).toBeUndefined(); // not before it succeeds
    const tx = await final(r.body.payload.transactionId);
    expect([...tx.seen]).toEqual(['Processing', 'Success']);
    expect(await inspect('/vendor/inventory')).toEqual({ EM: { 'MILK-1L': 12, 'BREAD-WHITE': 5 } });
  });

  // InventoryUpdate.isFullUpdate: "When sending a full feed, you must send information about all items in the
  // warehouse. Any items not in the full feed are updated as not available. … When sending a partial feed … The
  // status of other items will remain unchanged."
  it('isFullUpdate=true sets every item left out to 0; a partial update leaves the others; warehouses are separate', async () => {
    const { submit, final, inspect } = await setup();
    await final(
      (await submit('EM', { isFullUpdate: false, items: [item('A', 3), item('B', 4)] })).body.payload.transactionId,
    );
    await final((await submit('C', { isFullUpdate: false, items: [item('A', 9)] })).body.payload.transactionId);
    await final((await submit('EM', { isFullUpdate: false, items: [item('B', 6)] })).body.payload.transactionId);
    expect(await inspect('/vendor/inventory')).toEqual({ EM: { A: 3, B: 6 }, C: { A: 9 } });
    await final((await submit('EM', { isFullUpdate: true, items: [item('C', 1)] })).body.payload.transactionId);
    expect(await inspect('/vendor/inventory')).toEqual({ EM: { A: 0, B: 0, C: 1 }, C: { A: 9 } });
  });

  // ItemDetails: "Either buyerProductIdentifier or vendorProductIdentifier should be submitted."; the selling party
  // is the vendor ("ID of the selling party or vendor"); Transaction.errors ErrorList.
  it('ends Failure with errors for an item without identifier, another party or an unknown warehouse; nothing applied', async () => {
    const { submit, final, sp, sb, inspect } = await setup();
    const noId = await submit('EM', {
      isFullUpdate: false,
      items: [{ availableQuantity: { amount: 1, unitOfMeasure: 'Each' } }, item('OK', 2)],
    });
    const tx = await final(noId.body.payload.transactionId);
    expect(tx.status).toBe('Failure');
    expect(tx.errors![0]!.message).toMatch(/vendorProductIdentifier/);
    const other = await sp<{ payload: { transactionId: string } }>(
      'POST',
      '/vendor/directFulfillment/inventory/v1/warehouses/EM/items',
      {
        inventory: { sellingParty: { partyId: 'SOMEONE' }, isFullUpdate: false, items: [item('OK', 2)] },
      },
    );
    expect((await final(other.body.payload.transactionId)).status).toBe('Failure');
    expect(
      (await final((await submit('ZZ', { isFullUpdate: false, items: [item('OK', 2)] })).body.payload.transactionId))
        .status,
    ).toBe('Failure');
    expect(await inspect('/vendor/inventory')).toEqual({});
    expect(sb.state.counters.responseViolations).toBe(0);
  });

  // InventoryUpdate "required": ["isFullUpdate","items","sellingParty"]; ItemQuantity "required": ["unitOfMeasure"].
  it('rejects a body outside the model with 400 (the error in SubmitInventoryUpdateResponse.errors)', async () => {
    const { submit } = await setup();
    const r = await submit('EM', { items: [item('A', 1)] });
    expect(r.status).toBe(400);
    expect((r.body as unknown as { errors: { code: string }[] }).errors[0]!.code).toBe('InvalidInput');
    const noUnit = await submit('EM', {
      isFullUpdate: false,
      items: [{ vendorProductIdentifier: 'A', availableQuantity: { amount: 1 } }],
    });
    expect(noUnit.status).toBe(400);
  });

  it('fault failNextTransactions fails the next transaction; getTransaction of an unknown id is 404', async () => {
    const { submit, final, sp, inspect } = await setup({ faults: { failNextTransactions: 1 } });
    const failed = await final(
      (await submit('EM', { isFullUpdate: false, items: [item('A', 1)] })).body.payload.transactionId,
    );
    expect(failed).toMatchObject({ status: 'Failure', errors: [expect.objectContaining({ code: 'InternalFailure' })] });
    expect(
      (await final((await submit('EM', { isFullUpdate: false, items: [item('A', 1)] })).body.payload.transactionId))
        .status,
    ).toBe('Success');
    expect(await inspect('/vendor/inventory')).toEqual({ EM: { A: 1 } });
    expect((await sp('GET', '/vendor/transactions/v1/transactions/00000000-0000-0000-0000-000000000000')).status).toBe(
      404,
    );
  });
});
