// The FastAGI protocol layer: server, session, env and reply parsing. Knows nothing of routing.
export { type AddressCheck, allowListCheck, LOOPBACK_ONLY, parseAllowList } from './allow-list.js';
export type { AgiEnvironment } from './env.js';
export * from './errors.js';
export type { AgiReply, AgiSuccessReply } from './reply.js';
export {
  type AgiScriptHandler,
  createFastAgiServer,
  type FastAgiServer,
  type FastAgiServerOptions,
  type RefusalReason,
  type SessionOutcome,
  UNKNOWN_SCRIPT,
} from './server.js';
export { AgiSession } from './session.js';
