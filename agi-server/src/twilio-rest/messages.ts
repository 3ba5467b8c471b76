import twilio from 'twilio';
import type { TwilioClient } from './client.js';

/**
 * Sending a text through Twilio's Messages API (`POST /2010-04-01/Accounts/{Sid}/Messages.json`,
 * through the library). The answer is sorted by what the caller should do next: Twilio took it
 * (keep the SID, wait for status callbacks), Twilio refused it for good (a 4xx with Twilio's error
 * code: tell the sender why, never retry), or Twilio could not be asked (network, timeout, 429,
 * 5xx: retry later). Facts in docs/twilio.md.
 */

export interface OutgoingText {
  /** The sending number, E.164: an owned number that can send SMS. */
  readonly from: string;
  /** E.164. */
  readonly to: string;
  readonly body: string;
  /** Where Twilio posts the message's status changes (sent, delivered, failed, undelivered). */
  readonly statusCallback?: string | undefined;
}

export type SendOutcome =
  | { readonly kind: 'accepted'; readonly sid: string; readonly status: string }
  | {
      readonly kind: 'refused';
      readonly httpStatus: number;
      /** Twilio's error code (21211 invalid To, 21606 From cannot send SMS, …), when it gave one. */
      readonly code: number | undefined;
      readonly message: string;
    }
  | { readonly kind: 'unreachable'; readonly reason: string };

/** 429 and 5xx are Twilio's own trouble: worth another try; any other 4xx is about this request. */
function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

export async function sendMessage(client: TwilioClient, text: OutgoingText): Promise<SendOutcome> {
  try {
    const message = await client.messages.create({
      from: text.from,
      to: text.to,
      body: text.body,
      ...(text.statusCallback ? { statusCallback: text.statusCallback } : {}),
    });
    return { kind: 'accepted', sid: message.sid, status: message.status };
  } catch (error) {
    if (error instanceof twilio.RestException) {
      if (retryable(error.status))
        return { kind: 'unreachable', reason: `Twilio answered ${error.status}: ${error.message}` };
      return { kind: 'refused', httpStatus: error.status, code: error.code, message: error.message };
    }
    return { kind: 'unreachable', reason: (error as Error).message };
  }
}
