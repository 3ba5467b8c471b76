import { describe, expect, it } from 'vitest';
import { scheduleSchema } from '../../agi-server/src/routing/model.js';
import { localTime, scheduleState } from '../../agi-server/src/routing/schedule.js';

const office = scheduleSchema.parse({
  id: 'office',
  name: 'Office',
  timeZone: 'America/New_York',
  weekly: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' }],
  closures: [{ date: '2026-12-24', until: '2026-12-26', name: 'Christmas' }],
});
const night = scheduleSchema.parse({
  id: 'night',
  name: 'Night',
  timeZone: 'America/New_York',
  weekly: [{ days: ['sat'], open: '22:00', close: '06:00' }],
});

const at = (iso: string) => new Date(iso);

describe('schedules', () => {
  it('is open inside weekday hours and closed outside, in the schedule time zone', () => {
    expect(scheduleState(office, at('2026-11-23T14:00:00Z'))).toBe('open'); // Mon 09:00 EST
    expect(scheduleState(office, at('2026-11-23T13:59:00Z'))).toBe('closed'); // Mon 08:59 EST
    expect(scheduleState(office, at('2026-11-23T21:59:00Z'))).toBe('open'); // 16:59
    expect(scheduleState(office, at('2026-11-23T22:00:00Z'))).toBe('closed'); // 17:00: close is exclusive
    expect(scheduleState(office, at('2026-11-22T15:00:00Z'))).toBe('closed'); // Sunday
  });

  it('changes state on the minute it should, however often the minute before was asked', () => {
    // The state is kept per schedule for the minute last asked: the next minute is worked out anew.
    const shortDay = scheduleSchema.parse({
      id: 'short',
      name: 'Short',
      timeZone: 'America/New_York',
      weekly: [{ days: ['tue'], open: '09:00', close: '16:30' }],
    });
    expect(scheduleState(shortDay, at('2026-11-24T21:29:00Z'))).toBe('open'); // Tue 16:29 EST
    expect(scheduleState(shortDay, at('2026-11-24T21:29:59.999Z'))).toBe('open');
    expect(scheduleState(shortDay, at('2026-11-24T21:30:00Z'))).toBe('closed'); // 16:30
    expect(scheduleState(shortDay, at('2026-11-24T21:29:30Z'))).toBe('open'); // back in time
    expect(scheduleState(night, at('2026-11-24T21:29:30Z'))).toBe('closed'); // another schedule, same minute
  });

  it('follows the wall clock across the spring-forward day (UTC offset -5 -> -4)', () => {
    // 2026-03-09 is the Monday after DST began on Sunday 2026-03-08: 09:00 EDT = 13:00 UTC.
    expect(scheduleState(office, at('2026-03-09T13:00:00Z'))).toBe('open');
    expect(scheduleState(office, at('2026-03-09T12:59:00Z'))).toBe('closed');
    // The Friday before, still EST: 09:00 = 14:00 UTC.
    expect(scheduleState(office, at('2026-03-06T13:30:00Z'))).toBe('closed');
    expect(scheduleState(office, at('2026-03-06T14:00:00Z'))).toBe('open');
  });

  it('follows the wall clock on the fall-back day, when 01:00-02:00 happens twice', () => {
    const lateNight = scheduleSchema.parse({
      id: 'x',
      name: 'X',
      timeZone: 'America/New_York',
      weekly: [{ days: ['sun'], open: '01:00', close: '02:00' }],
    });
    // 2026-11-01: 01:30 EDT (05:30Z) and 01:30 EST (06:30Z) are both inside 01:00-02:00.
    expect(scheduleState(lateNight, at('2026-11-01T05:30:00Z'))).toBe('open');
    expect(scheduleState(lateNight, at('2026-11-01T06:30:00Z'))).toBe('open');
    expect(scheduleState(lateNight, at('2026-11-01T07:00:00Z'))).toBe('closed'); // 02:00 EST
  });

  it('runs a span past midnight into the next day, and only after a listed day', () => {
    expect(scheduleState(night, at('2026-11-29T02:59:00Z'))).toBe('closed'); // Sat 21:59
    expect(scheduleState(night, at('2026-11-29T03:00:00Z'))).toBe('open'); // Sat 22:00
    expect(scheduleState(night, at('2026-11-29T10:59:00Z'))).toBe('open'); // Sun 05:59
    expect(scheduleState(night, at('2026-11-29T11:00:00Z'))).toBe('closed'); // Sun 06:00
    expect(scheduleState(night, at('2026-11-28T10:00:00Z'))).toBe('closed'); // Fri night into Sat: not listed
  });

  it('lets a closure override weekly hours for each day of its range', () => {
    expect(scheduleState(office, at('2026-12-24T15:00:00Z'))).toBe('holiday'); // Thu 10:00
    expect(scheduleState(office, at('2026-12-25T15:00:00Z'))).toBe('holiday');
    expect(scheduleState(office, at('2026-12-26T04:59:00Z'))).toBe('holiday'); // Fri 23:59 local
    expect(scheduleState(office, at('2026-12-28T15:00:00Z'))).toBe('open'); // Mon after
  });

  it('judges the closure date in local time, not UTC', () => {
    // 2026-12-24T03:00Z is still Dec 23 in New York.
    expect(localTime(at('2026-12-24T03:00:00Z'), 'America/New_York').date).toBe('2026-12-23');
    expect(scheduleState(office, at('2026-12-24T03:00:00Z'))).toBe('closed');
  });

  it('allows 24:00 as the end of the day and refuses unknown time zones', () => {
    const allDay = scheduleSchema.parse({
      id: 'a',
      name: 'A',
      timeZone: 'UTC',
      weekly: [{ days: ['mon'], open: '00:00', close: '24:00' }],
    });
    expect(scheduleState(allDay, at('2026-11-23T23:59:00Z'))).toBe('open');
    expect(scheduleState(allDay, at('2026-11-24T00:00:00Z'))).toBe('closed');
    expect(scheduleSchema.safeParse({ id: 'b', name: 'B', timeZone: 'Mars/Olympus' }).success).toBe(false);
  });
});
