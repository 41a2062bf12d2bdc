import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let pythonScripts: string | null | undefined;
function pythonScriptsDir(): string | undefined {
  if (pythonScripts === undefined) {
    try {
      pythonScripts = execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], {
        encoding: 'utf8',
      }).trim();
    } catch {
      pythonScripts = null;
    }
  }
  return pythonScripts ?? undefined;
}

/** Finds an executable on PATH, in the sbin dirs MariaDB installs into, or where pip put it. */
export function which(name: string): string | undefined {
  try {
    const found = execFileSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on PATH
  }
  const dirs = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin', path.join(os.homedir(), '.local/bin')];
  const scripts = pythonScriptsDir();
  if (scripts) dirs.push(scripts);
  return dirs.map((d) => path.join(d, name)).find((p) => fs.existsSync(p));
}

export function requireBinary(name: string, hint: string): string {
  const found = which(name);
  if (!found) throw new Error(`'${name}' is not installed. ${hint} (or run: node scripts/ensure.mjs)`);
  return found;
}
