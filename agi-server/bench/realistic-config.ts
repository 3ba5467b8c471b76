import type { RoutingConfigInput } from '../src/routing/model.js';

/**
 * A routing configuration the size of a real multi-site PBX: 200 extensions, 1,000 DIDs, each
 * with a schedule (open/closed/holiday), a ring group, a hunt and voicemail, and a VIP caller
 * route on every tenth DID.
 */
export function realisticConfig(dids = 1_000): RoutingConfigInput {
  const extensions = Array.from({ length: 200 }, (_, index) => ({
    number: String(1000 + index),
    name: `User ${index}`,
    mailbox: String(1000 + index),
  }));
  const schedules: NonNullable<RoutingConfigInput['schedules']> = Array.from({ length: 10 }, (_, index) => ({
    id: `site-${index}`,
    name: `Site ${index}`,
    timeZone: ['America/Chicago', 'America/New_York', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney'][
      index % 5
    ] as string,
    weekly: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '08:00', close: '18:00' },
      { days: ['sat'], open: '22:00', close: '02:00' },
    ],
    closures: [
      { date: '2026-12-25', name: 'Christmas' },
      { date: '2027-01-01', name: 'New Year' },
    ],
  }));
  const routes = [];
  for (let index = 0; index < dids; index++) {
    const did = `+1986${String(3330000 + index).padStart(7, '0')}`;
    const member = (offset: number) => String(1000 + ((index + offset) % 200));
    routes.push({
      id: `did-${index}`,
      did,
      callerIdNamePrefix: 'Sales: ',
      schedule: `site-${index % 10}`,
      plans: {
        open: [
          { type: 'ring-group' as const, extensions: [member(0), member(1), member(2)], timeoutSeconds: 20 },
          { type: 'hunt' as const, extensions: [member(3), member(4)], timeoutSeconds: 15 },
          { type: 'voicemail' as const, mailbox: member(0) },
        ],
        closed: [{ type: 'voicemail' as const, mailbox: member(0) }],
      },
    });
    if (index % 10 === 0) {
      routes.push({
        id: `did-${index}-vip`,
        did,
        caller: { exact: '+15550001111' },
        plans: { open: [{ type: 'extension' as const, extension: member(5) }] },
      });
    }
  }
  return { extensions, schedules, routes };
}

export function realisticDid(index: number, dids = 1_000): string {
  return `+1986${String(3330000 + (index % dids)).padStart(7, '0')}`;
}
