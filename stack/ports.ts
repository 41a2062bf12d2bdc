import net from 'node:net';

/** Fixed ports of the `npm start` stack; tests get ephemeral ones from freePort(). */
export const DEFAULT_PORTS = {
  temporal: 7233,
  temporalUi: 8233,
  mysql: 3307,
  s3: 8333,
  s3Base: 18300,
  dynamodb: 8000,
  shopifySandbox: 8700,
  webhook: 8701,
  ops: 8702,
  amazonSandbox: 8704,
  lightspeedSandbox: 8706,
} as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Reserves `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export async function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 100, logFile }: { timeoutMs?: number; intervalMs?: number; logFile?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms${logFile ? ` (see ${logFile})` : ''}`);
}
