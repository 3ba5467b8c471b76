import twilio from 'twilio';
import type { FunctionConfig } from './config.js';
import { classifyDial } from './dial-outcome.js';
import { sipDial } from './inbound.js';
import { log } from './log.js';
import type { DialActionParams } from './params.js';

/**
 * Failover at the edge, after a <Dial> ends. An answered call, a caller who hung up and a PBX that
 * decided the call's fate itself (404, 480, 486, 603: see dial-outcome.ts) end here; only an
 * unreachable or broken PBX moves the call to the next configured fallback, in order: a secondary
 * PBX, a number, then voicemail. Each stage has its own action URL, so the chain needs no state
 * and no query string (which signatures cover). Every decision is one log line saying which it was.
 */

export type Stage = 'primary' | 'secondary' | 'forward';
type Fallback = 'secondary' | 'forward' | 'voicemail';
const ORDER: readonly Fallback[] = ['secondary', 'forward', 'voicemail'];
const AFTER: Record<Stage, number> = { primary: 0, secondary: 1, forward: 2 };

function available(config: FunctionConfig, fallback: Fallback): boolean {
  if (fallback === 'secondary') return config.FALLBACK_PBX_HOST !== undefined;
  if (fallback === 'forward') return config.FALLBACK_NUMBER !== undefined;
  return config.VOICEMAIL === 'on';
}

export function afterDial(stage: Stage, config: FunctionConfig, params: DialActionParams, now: Date): string {
  const response = new twilio.twiml.VoiceResponse();
  const { outcome, failover } = classifyDial(params);
  const facts = {
    callSid: params.CallSid,
    stage,
    dialCallStatus: params.DialCallStatus,
    sipResponseCode: params.DialSipResponseCode ?? null,
    outcome,
  };
  if (!failover) {
    log('info', `dial ended (${outcome}): no failover`, facts);
    response.hangup();
    return response.toString();
  }
  const next = ORDER.slice(AFTER[stage]).find((fallback) => available(config, fallback));
  log('warn', `PBX ${outcome}: failing over`, { ...facts, next: next ?? 'none' });
  switch (next) {
    case 'secondary':
      sipDial(response, config, config.FALLBACK_PBX_HOST as string, '/secondary-status', params, now);
      break;
    case 'forward':
      response
        .dial({ action: '/forward-status', method: 'POST', timeout: config.FALLBACK_NUMBER_TIMEOUT })
        .number(config.FALLBACK_NUMBER as string);
      break;
    case 'voicemail':
      response.say(config.VOICEMAIL_PROMPT);
      response.record({
        maxLength: 120,
        playBeep: true,
        action: '/voicemail-done',
        method: 'POST',
        recordingStatusCallback: '/recording-status',
        recordingStatusCallbackEvent: ['completed'],
      });
      break;
    default:
      response.say('We are sorry, nobody can take your call right now. Goodbye.');
      response.hangup();
  }
  return response.toString();
}

export function voicemailDone(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say('Thank you. Goodbye.');
  response.hangup();
  return response.toString();
}
