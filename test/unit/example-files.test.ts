import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_ENV_FILE, loadServerConfig } from '../../agi-server/src/config.js';
import { parseFunctionConfig } from '../../functions/src/lib/config.js';
import { inboundCall } from '../../functions/src/lib/inbound.js';
import { inboundParamsSchema } from '../../functions/src/lib/params.js';
import { runWebhook } from '../../functions/src/lib/webhook.js';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, voiceWebhookParams } from '../support/twilio-signing.js';

// Every example file either works as it is for a local try or fails naming what to set, and no
// placeholder in it ever passes as a real value (uncommented unchanged, it is refused).

/** The file's settings, and separately the commented-out `# NAME=value` lines, uncommented. */
function exampleEnv(path: string) {
  const text = readFileSync(path, 'utf8');
  const commented = [...text.matchAll(/^# ?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(
    ([, name, value]) => [name as string, value as string] as const,
  );
  return { active: parseEnv(text) as Record<string, string>, commented };
}

describe('.env.example', () => {
  const { active, commented } = exampleEnv('.env.example');

  it('is the example of the file the server reads by default: .env at the repository root', () => {
    expect(DEFAULT_ENV_FILE).toBe(resolve('.env'));
  });

  it('works as it is', () => {
    expect(() => loadServerConfig(active)).not.toThrow();
  });

  it('refuses each commented placeholder when uncommented unchanged, naming it', () => {
    const placeholders = commented.filter(([name]) => ['SB_ADMIN_TOKEN', 'SB_HEADER_SECRET'].includes(name));
    expect(placeholders).toHaveLength(2);
    for (const [name, value] of placeholders)
      expect(() => loadServerConfig({ ...active, [name]: value })).toThrow(
        new RegExp(`^invalid environment: ${name}: still the example placeholder`),
      );
  });
});

describe('functions/.env.example', () => {
  const { active, commented } = exampleEnv('functions/.env.example');

  it('as it is, fails naming exactly what to set', () => {
    const parsed = parseFunctionConfig(active);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'ACCOUNT_SID',
      'AUTH_TOKEN',
      'SB_HEADER_SECRET',
      'PBX_HOST',
    ]);
  });

  it('as it is, a webhook logs one line naming them and answers with safe TwiML', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    try {
      const result = runWebhook('inbound-call', inboundParamsSchema, inboundCall, {
        env: active,
        domainName: 'example.twil.io',
        path: '/inbound-call',
        params: voiceWebhookParams(),
        signature: undefined,
        now: new Date(),
      });
      expect(result).toMatchObject({ status: 200, contentType: 'text/xml' });
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      msg: 'invalid Function configuration: set ACCOUNT_SID, AUTH_TOKEN, SB_HEADER_SECRET, PBX_HOST; answering with safe TwiML',
    });
  });

  it('works once those four are set, and its DIAL_TIMEOUT is the routing default', () => {
    const parsed = parseFunctionConfig({
      ...active,
      ACCOUNT_SID: TEST_ACCOUNT_SID,
      AUTH_TOKEN: TEST_AUTH_TOKEN,
      SB_HEADER_SECRET: 'k9W2x7Qp4Lm8Zr1Tv6Ys3Bn5Hc0Jd2Fg',
      PBX_HOST: 'pbx.acme.test:5060',
    });
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data?.DIAL_TIMEOUT).toBe(120);
  });

  it('refuses its commented placeholders (hosts, password, URL) when uncommented unchanged', () => {
    const base = {
      ...active,
      ACCOUNT_SID: TEST_ACCOUNT_SID,
      AUTH_TOKEN: TEST_AUTH_TOKEN,
      SB_HEADER_SECRET: 'k9W2x7Qp4Lm8Zr1Tv6Ys3Bn5Hc0Jd2Fg',
      PBX_HOST: 'pbx.acme.test:5060',
    };
    const names = ['PBX_SIP_PASSWORD', 'FALLBACK_PBX_HOST', 'PUBLIC_BASE_URL'];
    const placeholders = commented.filter(([name]) => names.includes(name));
    expect(placeholders.map(([name]) => name)).toEqual([
      'PBX_SIP_PASSWORD',
      'FALLBACK_PBX_HOST',
      'PUBLIC_BASE_URL',
    ]);
    for (const [name, value] of placeholders) {
      const parsed = parseFunctionConfig({ ...base, [name]: value });
      expect(parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
        `${name}: still the example placeholder: set a real value`,
      ]);
    }
  });
});
