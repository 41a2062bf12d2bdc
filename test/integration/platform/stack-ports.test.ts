import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../../stack';
import { DEFAULT_PORTS, isPortOpen } from '../../../stack/ports';

// Before: npm start took whatever listened on its fixed ports for its own services. With another checkout's
// stack running, MariaDB on 3307 answered (root, no password) and this checkout wrote into that one's databases.
describe('npm start stack: fixed ports already in use', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-ports-'));
  const squatter = net.createServer((s) => s.end());
  afterAll(async () => {
    await new Promise<void>((r) => (squatter.listening ? squatter.close(() => r()) : r()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses to start MariaDB on a port something else listens on, naming the port and how to use it instead', async () => {
    // Something listens on 3307 (a listener of our own unless another stack already does).
    if (!(await isPortOpen(DEFAULT_PORTS.mysql)))
      await new Promise<void>((resolve, reject) => {
        squatter.once('error', reject);
        squatter.listen(DEFAULT_PORTS.mysql, '127.0.0.1', () => resolve());
      });
    // Every other service is external, so only MariaDB would start.
    const env = {
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ACCESS_KEY_ID: 'x',
    };
    const started = startLocalStack({ mode: 'dev', root, env });
    await expect(started).rejects.toThrow(
      /MariaDB can't start: 127\.0\.0\.1:3307 is already in use.*PIM_DATABASE_URL/s,
    );
    // Nothing was started under the checkout's data dir.
    expect(fs.existsSync(path.join(root, '.local', 'mariadb', 'mysql'))).toBe(false);
  }, 120_000);
});
