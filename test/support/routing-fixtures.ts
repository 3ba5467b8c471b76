import { type RoutingConfigInput, routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { buildSnapshot, type RoutingSnapshot } from '../../agi-server/src/routing/snapshot.js';

/** A small office: three extensions, weekday hours in Chicago with Christmas closed, four routes. */
export const officeConfig: RoutingConfigInput = {
  settings: { defaultCountry: 'US', forwardTrunk: 'twilio-trunk' },
  extensions: [
    { number: '100', name: 'Reception', mailbox: '100' },
    { number: '101', name: 'Operator' },
    { number: '102', name: 'Sales', endpoints: ['102', '102-mobile'] },
  ],
  schedules: [
    {
      id: 'office',
      name: 'Office',
      timeZone: 'America/Chicago',
      weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' }],
      closures: [{ date: '2026-12-25', name: 'Christmas' }],
    },
    {
      id: 'night',
      name: 'Night desk',
      timeZone: 'America/New_York',
      weekly: [{ days: ['fri'], open: '22:00', close: '06:00' }],
    },
  ],
  routes: [
    {
      id: 'main',
      did: '+19863334949',
      callerIdNamePrefix: 'Main: ',
      schedule: 'office',
      plans: {
        open: [
          {
            type: 'ring-group',
            extensions: ['100', '101'],
            timeoutSeconds: 20,
            advanceOn: ['no-answer', 'busy'],
          },
          { type: 'hunt', extensions: ['102', '101'], timeoutSeconds: 10 },
          { type: 'voicemail', mailbox: '100' },
        ],
        closed: [{ type: 'voicemail', mailbox: '100' }],
        holiday: [{ type: 'reject', reason: 'announcement', announcement: 'custom/closed-holiday' }],
      },
    },
    {
      id: 'main-vip',
      did: '+19863334949',
      caller: { exact: '+15550001111' },
      plans: { open: [{ type: 'extension', extension: '101' }] },
    },
    {
      id: 'main-uk',
      did: '+19863334949',
      caller: { prefix: '+44' },
      plans: { open: [{ type: 'forward', number: '+442071838750' }] },
    },
    {
      id: 'main-uk-london',
      did: '+19863334949',
      caller: { prefix: '+4420' },
      plans: { open: [{ type: 'reject', reason: 'busy' }] },
    },
    {
      id: 'nights',
      did: '9863334950',
      schedule: 'night',
      plans: {
        open: [{ type: 'extension', extension: '100' }],
        closed: [{ type: 'reject', reason: 'congestion' }],
      },
    },
  ],
};

/** The outbound section's numbers and trunks as the outbound tests use them (two owned DIDs, east then west). */
export const ownedNumbersAndTrunks = {
  ownedNumbers: ['+19863334949', '+19863334950'],
  defaultCallerId: '+19863334949',
  trunks: [
    { id: 'east', endpoint: 'twilio-east' },
    { id: 'west', endpoint: 'twilio-west' },
  ],
};

export function officeSnapshot(version = 7): RoutingSnapshot {
  return buildSnapshot(routingConfigSchema.parse(officeConfig), version);
}
