import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsDeps } from '../../../ops/server';
import { startShopifySandbox } from '../../../sandbox/shopify';

// `npm start` beside another one: a port already taken must be an error its caller reports and stops on
// (stopping what it started), not an unhandled 'error' event that kills the process with a stack trace.
describe('local servers on a port that is already taken', () => {
  let taken: net.Server;
  let port: number;
  beforeAll(async () => {
    taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    port = (taken.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => taken.close(() => r())));

  it('the Shopify sandbox rejects with EADDRINUSE', async () => {
    await expect(startShopifySandbox({ port })).rejects.toMatchObject({ code: 'EADDRINUSE', port });
  });

  it('the ops console rejects with EADDRINUSE', async () => {
    await expect(startOpsServer({ benchDir: '/nonexistent' } as OpsDeps, port)).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
