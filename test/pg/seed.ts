import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoutingConfigInput } from '../../agi-server/src/routing/model.js';
import { officeConfig } from '../support/routing-fixtures.js';

/** The office, a route without schedule for probes, and an outbound policy of 2 concurrent calls. */
export const scaleOutConfig: RoutingConfigInput = {
  ...officeConfig,
  routes: [
    ...(officeConfig.routes ?? []),
    { id: 'probe', did: '+19863330077', plans: { open: [{ type: 'extension', extension: '100' }] } },
  ],
  outbound: {
    ownedNumbers: ['+19863334949'],
    defaultCallerId: '+19863334949',
    trunks: [{ id: 'east', endpoint: 'twilio-east' }],
    policies: [{ id: 'default', allow: 'national', callsPerMinute: 100, maxConcurrent: 2 }],
  },
};

/** Written to a file: the server processes read it with --seed (JSON is YAML). */
export function seedFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sb-seed-')), 'routing.json');
  writeFileSync(path, JSON.stringify(scaleOutConfig));
  return path;
}

export const TOKEN = `sb_${'t'.repeat(43)}`;

/** The decision variables of an EXEC MSet line. */
export function msetVariables(command: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (/^EXEC MSet "(.*)"$/.exec(command ?? '')?.[1] ?? '')
      .split(',')
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
}
