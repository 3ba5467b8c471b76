/**
 * The contract shared by the Twilio Functions (functions/) and the AGI server (agi-server/):
 * header names and signing (docs/sip-headers.md), dialplan variable and AGI query names
 * (docs/dialplan-agi.md), phone-number normalisation, how long the edge waits for the PBX
 * (docs/twilio.md), the example files' placeholders, how a validation issue reads, and every
 * pattern and limit both sides validate with. Each is defined here once; neither side
 * redefines them.
 */
export * from './dialplan.js';
export * from './edge-timing.js';
export * from './issues.js';
export * from './message-forward.js';
export * from './patterns.js';
export * from './phone-number.js';
export * from './placeholder.js';
export * from './policy.js';
export * from './recording-forward.js';
export * from './sip-headers.js';
