import { describe, expect, it } from 'vitest';
import { listeningSockets } from '../../support/platform/listening-sockets';

/** `name:pid` of every service the global setup started (see test/global-setup.ts). */
const services = (process.env.BACKBONE_STACK_PIDS ?? '')
  .split(',')
  .filter(Boolean)
  .map((s) => {
    const [name, pid] = s.split(':');
    return { name: name!, pid: Number(pid) };
  });

describe('local stack binding', () => {
  it('starts Temporal, MariaDB, SeaweedFS and DynamoDB Local', () => {
    expect(services.map((s) => s.name).sort()).toEqual(['dynamodb', 'mariadb', 'seaweedfs', 'temporal']);
  });

  it.each(services.map((s) => [s.name, s.pid] as const))(
    '%s listens on 127.0.0.1 only (its sockets in /proc/net/tcp{,6})',
    (_name, pid) => {
      const sockets = listeningSockets(pid);
      expect(sockets.length).toBeGreaterThan(0);
      const exposed = sockets.filter((s) => s.address !== '127.0.0.1');
      expect(exposed).toEqual([]);
    },
  );
});
