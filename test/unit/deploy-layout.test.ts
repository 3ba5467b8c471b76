import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

// What `twilio serverless:deploy` (twilio-run deploy) would upload from the repository root,
// asked of twilio-run 5's own deploy-side code: its config loading (.twilioserverlessrc merged
// with the command's flag defaults), env-file reading and filtering, package.json reading, the
// Serverless API client's Function/Asset discovery and dependency list. Only the HTTP calls to
// Twilio are left out. The root's deploy files are copied to a scratch folder, with a root .env
// (the AGI server's) beside functions/.env, so the test proves which one is uploaded without
// touching a developer's real env files.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const requireFromTwilioRun = createRequire(join(ROOT, 'node_modules/twilio-run/package.json'));
const { getConfigFromFlags } = requireFromTwilioRun('./dist/config/deploy.js') as {
  getConfigFromFlags(flags: Record<string, unknown>): Promise<DeployConfig>;
};
const { cliInfo } = requireFromTwilioRun('./dist/commands/deploy.js') as {
  cliInfo: { options: Record<string, { default?: unknown }> };
};
const requireFromApi = createRequire(requireFromTwilioRun.resolve('@twilio-labs/serverless-api'));
const { getDependencies } = requireFromApi('@twilio-labs/serverless-api') as {
  getDependencies(pkgJson: unknown): { name: string; version: string }[];
};
const { getListOfFunctionsAndAssets } = requireFromApi('./utils/fs.js') as {
  getListOfFunctionsAndAssets(
    cwd: string,
    config: { functionsFolderNames?: string[]; assetsFolderNames?: string[] },
  ): Promise<{ functions: Resource[]; assets: Resource[] }>;
};

interface DeployConfig {
  cwd: string;
  envPath: string;
  env: Record<string, string>;
  pkgJson: unknown;
  serviceName: string;
  functionsEnv: string;
  functionsFolderName?: string;
  assetsFolderName?: string;
  runtime?: string;
}
interface Resource {
  path: string;
  access: string;
  filePath: string;
}

/** The flags yargs would hand twilio-run's deploy handler for a bare `twilio-run deploy`. */
function bareDeployFlags(cwd: string): Record<string, unknown> {
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const flags: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(cliInfo.options)) {
    if (option.default !== undefined) flags[camel(name)] = option.default;
  }
  // The Twilio CLI passes the profile's credentials; a bare run takes them from flags.
  return { ...flags, cwd, username: 'AC00000000000000000000000000000000', password: 'test-auth-token' };
}

const run = promisify(execFile);
let project: string;

beforeAll(async () => {
  await run(
    process.execPath,
    ['--conditions=switchboard-source', '--import', 'tsx', join(ROOT, 'functions/build.ts')],
    { cwd: ROOT },
  );
  project = mkdtempSync(join(tmpdir(), 'sb-deploy-'));
  for (const file of ['package.json', '.twilioserverlessrc'])
    copyFileSync(join(ROOT, file), join(project, file));
  cpSync(join(ROOT, 'functions/dist'), join(project, 'functions/dist'), { recursive: true });
  mkdirSync(join(project, 'agi-server'));
  // The example files as an operator copies them; the AGI server's .env must not be uploaded.
  copyFileSync(join(ROOT, '.env.example'), join(project, '.env'));
  writeFileSync(
    join(project, 'functions/.env'),
    readFileSync(join(ROOT, 'functions/.env.example'), 'utf8').replace(
      /^SB_HEADER_SECRET=.*$/m,
      'SB_HEADER_SECRET=a-test-secret-of-more-than-32-characters',
    ),
  );
}, 60_000);

describe('twilio serverless:deploy from the repository root', () => {
  it('reads functions/.env and uploads only its variables, without the account credentials', async () => {
    const config = await getConfigFromFlags(bareDeployFlags(project));
    expect(config.envPath).toBe(join(project, 'functions/.env'));
    expect(Object.keys(config.env).sort()).toEqual(
      [
        'SB_HEADER_SECRET',
        'PBX_HOST',
        'PBX_TRANSPORT',
        'DIAL_TIMEOUT',
        'VOICEMAIL',
        // OWNED_NUMBERS and DEFAULT_CALLER_ID are commented out in the example (your own numbers).
        'DEFAULT_COUNTRY',
        'ALLOW_PREFIXES',
      ].sort(),
    );
    expect(config.env.SB_HEADER_SECRET).toBe('a-test-secret-of-more-than-32-characters');
    // Nothing of the AGI server's .env (SB_DB_PATH, SB_AGI_PORT, …).
    expect(Object.keys(config.env).filter((key) => /^SB_(DB|AGI|API)/.test(key))).toEqual([]);
  });

  it('deploys to the production domain of the "switchboard" Service on node22', async () => {
    const config = await getConfigFromFlags(bareDeployFlags(project));
    expect(config.serviceName).toBe('switchboard');
    // An empty environment suffix: twilio-run creates the bare environment (no -production).
    expect(config.functionsEnv).toBe('');
    expect(config.runtime).toBe('node22');
  });

  it('uploads only twilio and the pinned @twilio/runtime-handler as the Service dependencies', async () => {
    const config = await getConfigFromFlags(bareDeployFlags(project));
    const dependencies = getDependencies(config.pkgJson);
    expect(dependencies.map((dependency) => dependency.name).sort()).toEqual([
      '@twilio/runtime-handler',
      'twilio',
    ]);
    for (const { version } of dependencies) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('publishes exactly the Functions, protected, at their public paths, and no assets', async () => {
    const config = await getConfigFromFlags(bareDeployFlags(project));
    // What the API client does with these names (serverless-api client.js deployProject).
    const { functions, assets } = await getListOfFunctionsAndAssets(config.cwd, {
      ...(config.functionsFolderName ? { functionsFolderNames: [config.functionsFolderName] } : {}),
      ...(config.assetsFolderName ? { assetsFolderNames: [config.assetsFolderName] } : {}),
    });
    expect(functions.map(({ path, access }) => `${path} ${access}`).sort()).toEqual([
      '/dial-status protected',
      '/forward-status protected',
      '/inbound-call protected',
      '/inbound-message protected',
      '/outbound-call protected',
      '/recording-status protected',
      '/secondary-status protected',
      '/voicemail-done protected',
    ]);
    expect(assets).toEqual([]);
    // Each upload is a self-contained bundle: only `twilio` (the runtime's) is required.
    for (const fn of functions) {
      const required = [...readFileSync(fn.filePath, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(
        (m) => m[1],
      );
      expect(required.filter((name) => !name?.startsWith('node:') && name !== 'twilio')).toEqual([]);
    }
  });
});
