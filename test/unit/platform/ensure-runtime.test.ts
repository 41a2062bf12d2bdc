import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// The machine's PATH as a shell has it, without what npm and ensure.mjs put in front: its `node` is the machine's
// own (Node 20 on our machines and CI, where ensure.mjs must switch; 22+ elsewhere, which it must keep).
const machinePath = process.env
  .PATH!.split(path.delimiter)
  .filter((dir) => !dir.includes(`${path.sep}.local${path.sep}node`) && !dir.includes('node_modules'))
  .join(path.delimiter);

function ensure(...command: string[]) {
  return spawnSync('node', ['scripts/ensure.mjs', ...command], {
    cwd: ROOT,
    env: { ...process.env, PATH: machinePath },
    encoding: 'utf8',
  });
}

const major = (v: string) => Number(v.trim().split('.')[0]);

describe('scripts/ensure.mjs <command>: runs the command under Node >= 22', () => {
  it('with that Node as process.execPath and as `node` on PATH for the processes it spawns', () => {
    const run = ensure(
      'node',
      '-e',
      'console.log(process.versions.node); console.log(require("child_process").execSync("node -p process.versions.node", { encoding: "utf8" }).trim())',
    );
    expect(run.status, run.stderr).toBe(0);
    const [own, spawned] = run.stdout.trim().split('\n').slice(-2);
    expect(major(own!)).toBeGreaterThanOrEqual(22);
    expect(spawned).toBe(own);
  });

  it('passes arguments and the exit code through', () => {
    const run = ensure('node', '-e', 'process.exit(Number(process.argv[1]))', '7');
    expect(run.status).toBe(7);
  });

  it('exits as 128 + signal when the command is killed by one', () => {
    const run = ensure('node', '-e', 'process.kill(process.pid, "SIGTERM")');
    expect(run.status).toBe(143);
  });
});
