import type { Schedule, Weekday } from './model.js';
import { WEEKDAYS } from './model.js';

/**
 * Whether a schedule is open at an instant, in the schedule's own time zone. Wall-clock local
 * time comes from Intl (the platform's tz database), so DST days need no special case: a span
 * 09:00-17:00 means 09:00-17:00 on the clock on the wall, whatever the UTC offset that day.
 */

export type ScheduleState = 'open' | 'closed' | 'holiday';

interface LocalTime {
  readonly date: string;
  readonly weekday: Weekday;
  readonly minutes: number;
}

/** Wall-clock fields; `precise` adds seconds and the UTC offset (for people, not for schedules). */
const WALL_CLOCK: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
};
const PRECISE: Intl.DateTimeFormatOptions = { second: '2-digit', timeZoneName: 'longOffset' };

/** One Intl formatter per zone and precision: building one is the slow part. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, precise = false): Intl.DateTimeFormat {
  const key = precise ? `precise ${timeZone}` : timeZone;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, ...WALL_CLOCK, ...(precise ? PRECISE : {}) });
    formatters.set(key, format);
  }
  return format;
}

/** Schedules have minute resolution: one Intl conversion per zone per minute, not per call. */
const lastMinute = new Map<string, { minute: number; local: LocalTime }>();

export function localTime(instant: Date, timeZone: string): LocalTime {
  const minute = Math.floor(instant.getTime() / 60_000);
  const cached = lastMinute.get(timeZone);
  if (cached?.minute === minute) return cached.local;
  const local = convert(instant, timeZone);
  lastMinute.set(timeZone, { minute, local });
  return local;
}

function convert(instant: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: (parts.weekday ?? 'Mon').toLowerCase().slice(0, 3) as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function toMinutes(time: string): number {
  const [hours, minutes] = time.split(':');
  return Number(hours) * 60 + Number(minutes);
}

function previousDay(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7] as Weekday;
}

type Closure = Schedule['closures'][number];
type Span = Schedule['weekly'][number];

function closureOn(schedule: Schedule, now: LocalTime): Closure | undefined {
  return schedule.closures.find(
    (closure) => now.date >= closure.date && now.date <= (closure.until ?? closure.date),
  );
}

function spanCovering(schedule: Schedule, now: LocalTime): Span | undefined {
  return schedule.weekly.find((span) => {
    const open = toMinutes(span.open);
    const close = toMinutes(span.close);
    if (open < close) return span.days.includes(now.weekday) && now.minutes >= open && now.minutes < close;
    // Runs past midnight: from `open` on a listed day until `close` on the day after.
    return (
      (span.days.includes(now.weekday) && now.minutes >= open) ||
      (span.days.includes(previousDay(now.weekday)) && now.minutes < close)
    );
  });
}

/**
 * The state of each schedule in the minute last asked about: a state can only change on a minute
 * boundary (the schedule has minute resolution), so every call in that minute gets it from here
 * instead of scanning closures and spans again. Keyed by the schedule object: a new routing
 * version brings new objects, and the old entries go with them.
 */
const lastState = new WeakMap<Schedule, { minute: number; state: ScheduleState }>();

export function scheduleState(schedule: Schedule, instant: Date): ScheduleState {
  const minute = Math.floor(instant.getTime() / 60_000);
  const cached = lastState.get(schedule);
  if (cached?.minute === minute) return cached.state;
  const now = localTime(instant, schedule.timeZone);
  const state = closureOn(schedule, now) ? 'holiday' : spanCovering(schedule, now) ? 'open' : 'closed';
  lastState.set(schedule, { minute, state });
  return state;
}

/** The state, and the closure or weekly span that decided it, in words for people. */
export interface ScheduleVerdict {
  readonly state: ScheduleState;
  readonly timeZone: string;
  /** The instant on the schedule's wall clock, e.g. `Fri 2026-12-25 10:00 GMT-06:00`. */
  readonly localTime: string;
  readonly because: string;
  readonly closure: Closure | undefined;
  readonly span: Span | undefined;
}

export function explainSchedule(schedule: Schedule, instant: Date): ScheduleVerdict {
  const now = convert(instant, schedule.timeZone);
  const base = { timeZone: schedule.timeZone, localTime: formatInZone(instant, schedule.timeZone) };
  const closure = closureOn(schedule, now);
  if (closure) {
    const days = closure.until ? `${closure.date} to ${closure.until}` : closure.date;
    return {
      ...base,
      state: 'holiday',
      because: `closure ${closure.name ? `"${closure.name}" ` : ''}(${days}) in schedule ${schedule.id}`,
      closure,
      span: undefined,
    };
  }
  const span = spanCovering(schedule, now);
  if (span) {
    return {
      ...base,
      state: 'open',
      because: `weekly hours ${span.days.join(',')} ${span.open}-${span.close} in schedule ${schedule.id}`,
      closure: undefined,
      span,
    };
  }
  const hours = schedule.weekly.map((entry) => `${entry.days.join(',')} ${entry.open}-${entry.close}`);
  return {
    ...base,
    state: 'closed',
    because: `outside the weekly hours of schedule ${schedule.id} (${hours.join('; ') || 'none'})`,
    closure: undefined,
    span: undefined,
  };
}

/** `Fri 2026-12-25 10:00 GMT-06:00`: an instant on a zone's wall clock, with its UTC offset. */
export function formatInZone(instant: Date, timeZone: string): string {
  const format = formatter(timeZone, true);
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) parts[part.type] = part.value;
  const offset = parts.timeZoneName === 'GMT' ? 'GMT+00:00' : parts.timeZoneName;
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Minutes `timeZone` is ahead of UTC at `instant` (negative west of Greenwich). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const local = convert(instant, timeZone);
  const [year, month, day] = local.date.split('-').map(Number) as [number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, Math.floor(local.minutes / 60), local.minutes % 60);
  return Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * `2026-12-25T10:00` on `timeZone`'s wall clock as an instant, so that people can ask about a
 * time the way the schedule is written. Two passes settle the offset; a wall time that a DST
 * change skips or repeats resolves to an instant next to it (checked in test/unit/schedule.test.ts).
 */
export function instantFromWallTime(wallTime: string, timeZone: string): Date | undefined {
  const match = WALL_TIME.exec(wallTime);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const asUtc = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second || 0);
  let instant = new Date(asUtc - offsetMinutes(new Date(asUtc), timeZone) * 60_000);
  instant = new Date(asUtc - offsetMinutes(instant, timeZone) * 60_000);
  return instant;
}

export function isWallTime(value: string): boolean {
  return WALL_TIME.test(value);
}
