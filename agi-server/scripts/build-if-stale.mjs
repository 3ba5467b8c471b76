#!/usr/bin/env node
// `npm start`'s build step: compiles the contract and the AGI server (tsc -b) only when a source
// or build setting is newer than the last build, so a start with nothing changed costs a few
// file stats instead of loading the TypeScript compiler (about 1 s of CPU, several on a busy
// machine). Plain JavaScript on purpose: it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const stamps = ['contract/dist/.tsbuildinfo', 'agi-server/dist/.tsbuildinfo'].map((path) => join(root, path));
const inputs = [
  'contract/src',
  'agi-server/src',
  'tsconfig.json',
  'contract/tsconfig.build.json',
  'agi-server/tsconfig.build.json',
  'contract/package.json',
  'agi-server/package.json',
].map((path) => join(root, path));

function modified(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Number.NaN;
  }
}

/** The newest modification time under `path` (a file, or a folder read recursively). */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path, { recursive: true }))
    latest = Math.max(latest, modified(join(path, entry)));
  return latest;
}

const latestInput = Math.max(...inputs.map(newest));
const built = Math.min(...stamps.map(modified));
if (Number.isNaN(built) || latestInput > built) {
  process.stderr.write('switchboard: sources changed since the last build: compiling (tsc -b)\n');
  const tsc = spawnSync(
    process.execPath,
    [
      createRequire(import.meta.url).resolve('typescript/bin/tsc'),
      '-b',
      join(root, 'agi-server/tsconfig.build.json'),
    ],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc -b leaves its build info alone when only times changed: date it as of the newest input
  // (not the clock, which a test may have set), so the next start finds nothing to do.
  const asOf = new Date(Math.ceil(latestInput) + 1);
  for (const stamp of stamps) if (modified(stamp) < latestInput) utimesSync(stamp, asOf, asOf);
  // A fresh dist/ has no executable bits: npm set them when it linked the bins at install.
  const { bin } = JSON.parse(readFileSync(join(root, 'agi-server/package.json'), 'utf8'));
  for (const target of Object.values(bin)) chmodSync(join(root, 'agi-server', target), 0o755);
}
