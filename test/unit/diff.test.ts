import { describe, expect, it } from 'vitest';
import { diffConfigs } from '../../agi-server/src/routing/diff.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { officeConfig } from '../support/routing-fixtures.js';

const before = routingConfigSchema.parse({
  ...officeConfig,
  outbound: {
    ownedNumbers: ['+19863334949'],
    trunks: [
      { id: 'east', endpoint: 'twilio-east' },
      { id: 'west', endpoint: 'twilio-west' },
    ],
    policies: [{ id: 'default', allow: 'national' }],
  },
});

describe('diff between two versions: the outbound section', () => {
  it('names policies and trunks by id, and other outbound fields by path', () => {
    const after = routingConfigSchema.parse({
      ...before,
      outbound: {
        ...before.outbound,
        ownedNumbers: ['+19863334949', '+19863334950'],
        trunks: [{ id: 'east', endpoint: 'twilio-east-2' }],
        policies: [...before.outbound.policies, { id: 'sales', allow: 'international' }],
      },
    });
    expect(diffConfigs(before, after).map((change) => `${change.kind} ${change.path}`)).toEqual([
      'added outbound.ownedNumbers.1',
      'changed outbound.trunks.east.endpoint',
      'removed outbound.trunks.west',
      'added outbound.policies.sales',
    ]);
  });

  it('reports no change for an identical document', () => {
    expect(diffConfigs(before, routingConfigSchema.parse(structuredClone(before)))).toEqual([]);
  });
});
