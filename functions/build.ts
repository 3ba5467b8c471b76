import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds the Twilio Functions into functions/dist, the folder twilio-run serves and deploys
 * (--cwd functions/dist, with the top-level .twilioserverlessrc):
 *  - each functions/src/*.ts becomes one self-contained CommonJS file in dist/functions, with the
 *    shared contract (agi-server/src/contract) and zod bundled in; `twilio` stays external
 *    because the Functions runtime provides it;
 *  - dist/package.json lists only what the Functions need at run time (twilio and the exact
 *    @twilio/runtime-handler), so a deploy never installs the AGI server's dependencies.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'functions/src');
const dist = join(root, 'functions/dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });
const entries = readdirSync(source).filter((name) => name.endsWith('.ts'));
await build({
  entryPoints: entries.map((name) => join(source, name)),
  outdir: join(dist, 'functions'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  external: ['twilio'],
  minify: true,
  logLevel: 'warning',
});

const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const pin = (name: string) => {
  const version = rootPackage.dependencies[name];
  if (!version) throw new Error(`${name} missing from package.json dependencies`);
  return version;
};
writeFileSync(
  join(dist, 'package.json'),
  `${JSON.stringify(
    {
      name: 'switchboard-functions',
      private: true,
      description: 'Built by functions/build.ts; do not edit',
      dependencies: { twilio: pin('twilio'), '@twilio/runtime-handler': pin('@twilio/runtime-handler') },
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`built ${entries.length} Functions into ${dist}\n`);
