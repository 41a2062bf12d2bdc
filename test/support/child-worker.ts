import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKER_NODE_FLAGS } from '../../workers/worker-tuning';

/**
 * Starts test/support/worker-process.ts as a child, with a production worker's Node flags (a caller's NODE_OPTIONS,
 * e.g. a benchmark's heap limit, comes after them and wins), and resolves once it polls; kill() is SIGKILL.
 */
export async function startChildWorker(
  prefix: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; kill(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(import.meta.dirname, 'worker-process.ts'), prefix],
    {
      env: {
        ...process.env,
        ...env,
        NODE_OPTIONS: [...WORKER_NODE_FLAGS, env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ''].join(' ').trim(),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('worker-ready') && resolve());
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${stderr}`)));
  });
  return {
    child,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
