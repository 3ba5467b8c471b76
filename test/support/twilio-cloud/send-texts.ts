import { loadServerConfig } from '../../../agi-server/src/config.js';
import {
  createTwilioClient,
  type OutgoingText,
  sendMessage,
  twilioAccountOf,
} from '../../../agi-server/src/twilio-rest/index.js';

/**
 * Sends texts through agi-server/src/twilio-rest in a process of its own, as the server does:
 * NODE_EXTRA_CA_CERTS is read only when a process starts, so a test that wants the real library's
 * path to the emulator spawns this with the emulator's env. Input: a JSON array of texts (argv[2]);
 * output: a JSON array of outcomes on stdout.
 */
const config = loadServerConfig(process.env);
const account = twilioAccountOf(config);
if (!account) throw new Error('SB_TWILIO_ACCOUNT_SID and SB_TWILIO_AUTH_TOKEN are needed');
const client = createTwilioClient(account);
const texts = JSON.parse(process.argv[2] ?? '[]') as OutgoingText[];
const outcomes = [];
for (const text of texts) outcomes.push(await sendMessage(client, text));
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
