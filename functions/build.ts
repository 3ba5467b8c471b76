import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds the Twilio Functions into functions/dist, the `functionsFolder` of the top-level
 * .twilioserverlessrc: each functions/src/*.ts becomes one self-contained CommonJS file there,
 * named as its public path (inbound-call.protected.ts -> /inbound-call, protected), with the
 * shared contract (@switchboard/contract, from its TypeScript source) and zod bundled in.
 * `twilio` stays external: the Functions runtime provides it, and the root package.json's
 * `dependencies` (what twilio-run uploads) list it with the pinned @twilio/runtime-handler.
 * See docs/twilio.md.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'functions/src');
const dist = join(root, 'functions/dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const entries = readdirSync(source).filter((name) => name.endsWith('.ts'));
await build({
  entryPoints: entries.map((name) => join(source, name)),
  outdir: dist,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['twilio'],
  conditions: ['switchboard-source'],
  minify: true,
  logLevel: 'warning',
});

// The root package.json says "type": "module"; these bundles are CommonJS (what the Functions
// runtime loads), so the folder says so for Node and twilio-run's local server. twilio-run only
// collects .js files, so this file is never uploaded.
writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');
process.stdout.write(`built ${entries.length} Functions into ${dist}\n`);
