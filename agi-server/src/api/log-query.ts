import { toE164 } from '@switchboard/contract';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

/**
 * What every log listing takes (GET /calls, GET /messages): a time window of ISO instants with an
 * offset and a size, newest first; numbers as typed, found in E.164 as the logs keep them.
 */
export const logWindowQuery = {
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
};

/** The window as the stores compare it: UTC ISO instants (text comparison on SQLite). */
export function logWindow(query: {
  readonly since?: string | undefined;
  readonly until?: string | undefined;
}): {
  since?: string;
  until?: string;
} {
  return {
    ...(query.since ? { since: new Date(query.since).toISOString() } : {}),
    ...(query.until ? { until: new Date(query.until).toISOString() } : {}),
  };
}

/** A number filter as the log keeps it: `9863334949` finds `+19863334949`; anything else as typed. */
export function numberFilter(value: string | undefined, defaultCountry: CountryCode): string | undefined {
  return value === undefined ? undefined : (toE164(value, defaultCountry) ?? value);
}
