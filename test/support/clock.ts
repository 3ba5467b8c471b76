/**
 * The instants tests route at. The fixtures' and the sample's schedules are America/Chicago on
 * weekdays (office 09:00-17:00, sample business-hours 08:00-18:00): a test that routes through
 * one sets its clock to one of these (`clockFrom`; a spawned server is started through `server-at.ts`), so the
 * suite passes at any hour it is run (README: "Tests own their clock").
 */
export { clockFrom } from '../../agi-server/src/clock.js';

/** Tuesday 2026-12-01 12:00 in Chicago: open for every weekday schedule in the fixtures. */
export const WEEKDAY_NOON_CHICAGO = '2026-12-01T12:00:00-06:00';
/** Tuesday 2026-12-01 03:00 in Chicago: closed for every weekday schedule in the fixtures. */
export const WEEKDAY_NIGHT_CHICAGO = '2026-12-01T03:00:00-06:00';
