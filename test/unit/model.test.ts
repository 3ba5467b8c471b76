import { describe, expect, it } from 'vitest';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { officeConfig } from '../support/routing-fixtures.js';

function issuePaths(input: unknown): string[] {
  const result = routingConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('routing configuration validation', () => {
  it('accepts the office fixture and the shipped sample', async () => {
    expect(issuePaths(officeConfig)).toEqual([]);
    const { readRoutingFile, SAMPLE_ROUTING } = await import('../../agi-server/src/config.js');
    expect(issuePaths(readRoutingFile(SAMPLE_ROUTING))).toEqual([]);
  });

  it('names every broken reference and duplicate by path', () => {
    expect(
      issuePaths({
        extensions: [
          { number: '100', name: 'A' },
          { number: '100', name: 'B' },
        ],
        schedules: [
          { id: 'office', name: 'Office', timeZone: 'UTC' },
          { id: 'office', name: 'Office again', timeZone: 'UTC' },
        ],
        routes: [
          { id: 'a', did: 'not-a-number', plans: { open: [{ type: 'extension', extension: '100' }] } },
          {
            id: 'b',
            did: '+19863334949',
            schedule: 'nope',
            plans: { open: [{ type: 'extension', extension: '999' }] },
          },
          { id: 'b', did: '+19863334949', plans: { open: [{ type: 'voicemail', mailbox: '100' }] } },
        ],
      }),
    ).toEqual(
      expect.arrayContaining([
        'routes.0.did',
        'extensions.1.number',
        'schedules.1.id',
        'routes.1.schedule',
        'routes.1.plans.open.0',
        'routes.2.id',
        'routes.2',
      ]),
    );
  });

  it('refuses values that could break a dial string or the dialplan', () => {
    const route = (step: unknown, extra: object = {}) => ({
      extensions: [{ number: '100', name: 'A' }],
      routes: [{ id: 'r', did: '+19863334949', plans: { open: [step] }, ...extra }],
    });
    expect(issuePaths(route({ type: 'forward', number: '+1555,tT' }))).toContain(
      'routes.0.plans.open.0.number',
    );
    expect(issuePaths(route({ type: 'reject', reason: 'announcement' }))).toContain(
      'routes.0.plans.open.0.announcement',
    );
    expect(
      issuePaths(route({ type: 'reject', reason: 'announcement', announcement: '../../etc/x' })),
    ).toContain('routes.0.plans.open.0.announcement');
    expect(
      issuePaths(route({ type: 'extension', extension: '100' }, { callerIdNamePrefix: 'Sales)${X}' })),
    ).toContain('routes.0.callerIdNamePrefix');
    expect(
      issuePaths({ extensions: [{ number: '100', name: 'A', endpoints: ['100&PJSIP/evil'] }] }),
    ).toContain('extensions.0.endpoints.0');
  });
});
