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

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, format);
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

export function scheduleState(schedule: Schedule, instant: Date): ScheduleState {
  const now = localTime(instant, schedule.timeZone);
  for (const closure of schedule.closures) {
    if (now.date >= closure.date && now.date <= (closure.until ?? closure.date)) return 'holiday';
  }
  for (const span of schedule.weekly) {
    const open = toMinutes(span.open);
    const close = toMinutes(span.close);
    if (open < close) {
      if (span.days.includes(now.weekday) && now.minutes >= open && now.minutes < close) return 'open';
    } else {
      // Runs past midnight: from `open` on a listed day until `close` on the day after.
      if (span.days.includes(now.weekday) && now.minutes >= open) return 'open';
      if (span.days.includes(previousDay(now.weekday)) && now.minutes < close) return 'open';
    }
  }
  return 'closed';
}
