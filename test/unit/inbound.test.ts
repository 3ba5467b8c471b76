import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastAgiServer } from '../../agi-server/src/agi/index.js';
import { createSwitchboardAgi } from '../../agi-server/src/app.js';
import { ConfigError, loadInboundTable, loadServerConfig } from '../../agi-server/src/config.js';
import { dialStringSchema } from '../../agi-server/src/routing/dial-string.js';
import { decideInbound, inboundTableSchema } from '../../agi-server/src/routing/inbound-table.js';
import { captureLogger } from '../support/capture-logger.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';

const sampleTable = loadInboundTable(loadServerConfig({}).SB_ROUTES_FILE);

describe('dial strings', () => {
  it.each(['PJSIP/100', 'PJSIP/100&PJSIP/101', 'PJSIP/+15551234567@twilio-trunk', 'Local/100@from-internal'])(
    'accepts %s',
    (value) => {
      expect(dialStringSchema.safeParse(value).success).toBe(true);
    },
  );

  it.each([
    'PJSIP/100,30,tT',
    'PJSIP/100)',
    'PJSIP/${EVIL}',
    'SIP/100',
    'PJSIP/',
    'PJSIP/100&',
    'PJSIP/1 00',
    'PJSIP/100\nHANGUP',
  ])('refuses %j, which could smuggle options or expressions', (value) => {
    expect(dialStringSchema.safeParse(value).success).toBe(false);
  });
});

describe('inbound decision on the minimal table', () => {
  it('sends the sample DID +19863334949 to PJSIP/100', () => {
    expect(decideInbound(sampleTable, '+19863334949')).toEqual({
      action: 'dial',
      dial: 'PJSIP/100',
      timeoutSeconds: 30,
      matched: true,
    });
  });

  it('rejects an unknown or missing DID by default', () => {
    expect(decideInbound(sampleTable, '+15550000000')).toEqual({ action: 'reject', reason: 'unknown-did' });
    expect(decideInbound(sampleTable, undefined)).toEqual({ action: 'reject', reason: 'unknown-did' });
  });

  it('sends an unknown DID to the configured destination when asked to', () => {
    const table = inboundTableSchema.parse({ unknownDid: { action: 'dial', dial: 'PJSIP/101' }, routes: [] });
    expect(decideInbound(table, '+15550000000')).toMatchObject({
      action: 'dial',
      dial: 'PJSIP/101',
      matched: false,
    });
  });

  it('refuses a table with a bad DID, a bad dial string, a duplicate or an unknown key, naming the path', () => {
    const bad = inboundTableSchema.safeParse({
      routes: [
        { did: '19863334949', dial: 'PJSIP/100' },
        { did: '+19863334949', dial: 'PJSIP/100,,tT' },
        { did: '+19863334949', dial: 'PJSIP/100' },
        { did: '+19863334948', dial: 'PJSIP/100', extra: 1 },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['routes.0.did', 'routes.1.dial', 'routes.2.did', 'routes.3']),
    );
  });

  it('reports an unreadable or invalid routes file as a ConfigError with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-routes-'));
    writeFileSync(join(dir, 'bad.json'), '{"routes":[{"did":"x","dial":"PJSIP/1"}]}');
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => loadInboundTable(join(dir, 'bad.json'))).toThrow(/bad\.json: routes\.0\.did/);
    expect(() => loadInboundTable(join(dir, 'broken.json'))).toThrow(ConfigError);
    expect(() => loadInboundTable(join(dir, 'missing.json'))).toThrow(ConfigError);
  });

  it('refuses a bad environment with the variable named', () => {
    expect(() => loadServerConfig({ SB_AGI_PORT: 'seventy' })).toThrow(/SB_AGI_PORT/);
    expect(loadServerConfig({})).toMatchObject({ SB_AGI_HOST: '127.0.0.1', SB_AGI_PORT: 4573 });
  });
});

describe('the inbound AGI script', () => {
  let server: FastAgiServer | undefined;
  afterEach(async () => {
    await server?.close(500);
  });

  async function start() {
    const log = captureLogger();
    // Port 0 (any free port) is for tests only: the validated config never allows it.
    server = createSwitchboardAgi({ ...loadServerConfig({}), SB_AGI_PORT: 0 }, sampleTable, log.logger);
    return { port: (await server.listen()).port, log };
  }

  it('answers with one MSet and logs one line with uniqueid and CallSid', async () => {
    const { port, log } = await start();
    const callSid = 'CA0123456789abcdef0123456789abcdef';
    const asterisk = await FakeAsterisk.start(
      port,
      `inbound?did=%2B19863334949&callsid=${callSid}&linkedid=1763900000.1`,
    );
    expect(await asterisk.serve()).toEqual(['EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/100,SB_TIMEOUT=30"']);
    const lines = log.lines.filter((line) => line.event === 'inbound-call');
    expect(lines).toEqual([
      expect.objectContaining({
        uniqueid: '1763900000.1',
        linkedid: '1763900000.1',
        callSid,
        did: '+19863334949',
        caller: '+15551230001',
        action: 'dial',
        dial: 'PJSIP/100',
      }),
    ]);
  });

  it('falls back to agi_extension when the dialplan passes no did', async () => {
    const { port } = await start();
    const asterisk = await FakeAsterisk.start(port, 'inbound', { agi_extension: '+19863334949' });
    expect(await asterisk.serve()).toEqual(['EXEC MSet "SB_ACTION=dial,SB_DIAL=PJSIP/100,SB_TIMEOUT=30"']);
  });

  it('rejects an unknown DID with cause 1 (SIP 404) and logs why', async () => {
    const { port, log } = await start();
    const asterisk = await FakeAsterisk.start(port, 'inbound?did=%2B15550000000', {
      agi_extension: '+15550000000',
    });
    expect(await asterisk.serve()).toEqual(['EXEC MSet "SB_ACTION=hangup,SB_HANGUP_CAUSE=1"']);
    expect(log.lines.find((line) => line.event === 'inbound-call')).toMatchObject({
      action: 'reject',
      reason: 'unknown-did',
    });
  });

  it('does not trust a CallSid that is not of Twilio form, and says so', async () => {
    const { port, log } = await start();
    const asterisk = await FakeAsterisk.start(port, 'inbound?did=%2B19863334949&callsid=CA%22%29%3B');
    await asterisk.serve();
    const line = log.lines.find((entry) => entry.event === 'inbound-call');
    expect(line).toMatchObject({ callSidMalformed: true });
    expect(line?.callSid).toBeUndefined();
  });
});
