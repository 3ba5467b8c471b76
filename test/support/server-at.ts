import { clockFrom } from '../../agi-server/src/clock.js';
import { runServer } from '../../agi-server/src/run-server.js';

/**
 * The server process as `npm start` runs it (run-server.ts), on a clock that starts at the instant
 * a test means and ticks from there: `node --import tsx test/support/server-at.ts <ISO instant with
 * offset> [server options…]`. The clock is handed to the composition in code, so the product keeps
 * no setting that moves its clock (README: "Tests own their clock").
 */
const [instant, ...args] = process.argv.slice(2);
const start = new Date(instant ?? '');
if (!instant || !/[zZ]|[+-]\d\d:\d\d$/.test(instant) || Number.isNaN(start.getTime())) {
  process.stderr.write(`server-at: the first argument must be an ISO instant with offset, got ${instant}\n`);
  process.exit(2);
}
runServer({ args, clock: clockFrom(start) });
