import fs from 'node:fs';
import path from 'node:path';

/** Where `npm start` leaves the endpoints of the services it started, for the `backbone` CLI to find them. */
export const stackEnvFile = (root: string) => path.join(root, '.local', 'stack.env');

/** Writes `KEY=value` lines: endpoints, and the throwaway local credentials of the stack npm start runs. */
export function writeStackEnv(root: string, env: Record<string, string>): void {
  const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  fs.writeFileSync(stackEnvFile(root), `# written by npm start; removed when it stops\n${lines.join('\n')}\n`);
}

/**
 * Fills the keys `target` does not set from the running `npm start` stack, so the CLI talks to the same services
 * (S3 and DynamoDB endpoints, the sandbox) without exporting anything. Never in production. Returns the keys taken.
 */
export function loadStackEnv(root: string, target: NodeJS.ProcessEnv = process.env): string[] {
  const file = stackEnvFile(root);
  if (target.BACKBONE_ENV === 'production' || !fs.existsSync(file)) return [];
  const taken: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m || target[m[1]!]) continue;
    target[m[1]!] = m[2]!;
    taken.push(m[1]!);
  }
  return taken;
}
