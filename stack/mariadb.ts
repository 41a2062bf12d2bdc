import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { requireBinary } from './binaries';
import { waitFor } from './ports';
import { spawnService, tailLog, type RunningService } from './process';

export interface LocalMysql extends RunningService {
  port: number;
  /** Root URL without a database, e.g. mysql://root@127.0.0.1:3307/ */
  adminUrl: string;
}

const HINT = 'Install MariaDB: apt-get install -y mariadb-server';

/** A private MariaDB instance whose data lives in `dataDir` (created on first use). */
export async function startMariadb(opts: { dataDir: string; port: number; logDir: string }): Promise<LocalMysql> {
  const dataDir = path.resolve(opts.dataDir);
  // A temp dir of its own: mariadbd removes `#sql*` files from its tmpdir at start, so in a shared /tmp one
  // instance starting deletes another's bootstrap temp tables ("Unknown table 'mysql.tmp_proxies_priv'").
  // Beside the data dir, not in it (a folder in it would be a database).
  const tmpDir = `${dataDir}-tmp`;
  fs.mkdirSync(tmpDir, { recursive: true });
  if (!fs.existsSync(path.join(dataDir, 'mysql'))) {
    fs.mkdirSync(dataDir, { recursive: true });
    const installDb = requireBinary('mariadb-install-db', HINT);
    execFileSync(
      installDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        `--tmpdir=${tmpDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        ...userArgs(),
      ],
      { stdio: 'pipe' },
    );
  }
  const mariadbd = requireBinary('mariadbd', HINT);
  const args = [
    '--no-defaults',
    `--datadir=${dataDir}`,
    `--tmpdir=${tmpDir}`,
    `--port=${opts.port}`,
    '--bind-address=127.0.0.1',
    `--socket=${path.join(dataDir, 'mysqld.sock')}`,
    `--pid-file=${path.join(dataDir, 'mysqld.pid')}`,
    '--skip-name-resolve',
    '--skip-log-bin',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--innodb-buffer-pool-size=256M',
    '--innodb-flush-log-at-trx-commit=2',
    '--max-connections=500',
    ...userArgs(),
  ];
  const service = spawnService('mariadb', mariadbd, args, { logDir: opts.logDir });
  const adminUrl = `mysql://root@127.0.0.1:${opts.port}/`;
  try {
    await waitFor(
      'MariaDB',
      async () => {
        const conn = await mysql.createConnection({ uri: adminUrl, connectTimeout: 1000 });
        await conn.end();
        return true;
      },
      { timeoutMs: 120_000, logFile: service.logFile },
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message}\n${tailLog(service.logFile)}`);
  }
  return { ...service, port: opts.port, adminUrl };
}

// mariadbd refuses to run as root unless told to; as any other user it runs as that user.
function userArgs(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}
