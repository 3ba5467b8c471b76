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

describe('diff between two versions', () => {
  it('names outbound policies and trunks added, removed and changed, and other outbound changes', () => {
    const after = routingConfigSchema.parse({
      ...before,
      outbound: {
        ...before.outbound,
        ownedNumbers: ['+19863334949', '+19863334950'],
        trunks: [{ id: 'east', endpoint: 'twilio-east-2' }],
        policies: [...before.outbound.policies, { id: 'sales', allow: 'international' }],
      },
    });
    expect(diffConfigs(before, after).outbound).toEqual({
      policies: { added: ['sales'], removed: [], changed: [] },
      trunks: { added: [], removed: ['west'], changed: ['east'] },
      settingsChanged: true,
    });
  });

  it('reports no outbound change for an identical section', () => {
    expect(diffConfigs(before, routingConfigSchema.parse(structuredClone(before))).outbound).toEqual({
      policies: { added: [], removed: [], changed: [] },
      trunks: { added: [], removed: [], changed: [] },
      settingsChanged: false,
    });
  });
});
