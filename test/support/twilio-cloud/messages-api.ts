import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { type CloudApi, type CloudReply, type CloudRequest, twilioError } from './cloud.js';

/**
 * Twilio's Messages API as its documentation describes it
 * (https://www.twilio.com/docs/messaging/api/message-resource): `POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json` with form fields To, From, Body, StatusCallback;
 * 201 with the Message resource (status `queued`), or Twilio's error body (21211 invalid To, 21606
 * From not an SMS-capable number of the account, 21602 no body, 21617 body past 1,600 characters,
 * 20003 other account). Then the status callbacks Twilio sends for an accepted message: no
 * callback for `queued`, then `sent` and `delivered` (or `failed`/`undelivered` with ErrorCode),
 * each a form POST signed with X-Twilio-Signature over the StatusCallback URL.
 */

/** What happens to an accepted message after `queued`. */
export type MessageFate =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'undelivered' | 'failed'; readonly errorCode: number }
  /** Twilio refuses the request itself (e.g. 21610 unsubscribed recipient). */
  | { readonly outcome: 'refused'; readonly status: number; readonly code: number; readonly message: string };

export interface EmulatedMessage {
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly statusCallback: string | undefined;
  status: string;
}

export interface StatusCallbackRecord {
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  readonly signature: string;
  /** What our server answered (0: it could not be reached). */
  readonly answer: number;
}

export interface MessagesApi {
  readonly api: CloudApi;
  /** Every message the API accepted. */
  readonly messages: EmulatedMessage[];
  /** Every status callback sent, with the server's answer. */
  readonly callbacks: StatusCallbackRecord[];
  /** Resolves when every status callback scheduled so far has been answered. */
  settled(): Promise<void>;
}

const E164 = /^\+[1-9][0-9]{6,14}$/;
/** Twilio's limit on Body (characters), error 21617. */
const MAX_BODY_CHARACTERS = 1_600;

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** GSM-7 fits 160 per message (153 per part); anything else is UCS-2: 70 (67 per part). */
function segments(body: string): number {
  const gsm = /^[\n\r -~£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà]*$/.test(body);
  const units = body.length;
  const [single, part] = gsm ? [160, 153] : [70, 67];
  return units <= single ? 1 : Math.ceil(units / part);
}

function field(request: CloudRequest, name: string): string | undefined {
  const value = request.form[name];
  return Array.isArray(value) ? value[0] : value;
}

export function messagesApi(options: {
  /** Numbers of the account that can send SMS (others get 21606). */
  readonly smsNumbers: readonly string[];
  /** What becomes of a message; default: delivered. */
  readonly fate?: (message: { readonly to: string; readonly body: string }) => MessageFate;
  /** Pause before each status callback (Twilio sends them moments apart). */
  readonly callbackDelayMs?: number;
}): MessagesApi {
  const messages: EmulatedMessage[] = [];
  const callbacks: StatusCallbackRecord[] = [];
  const pending = new Set<Promise<void>>();
  const delay = options.callbackDelayMs ?? 20;

  const resource = (accountSid: string, message: EmulatedMessage, now: Date) => ({
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: message.body,
    date_created: rfc2822(now),
    date_sent: null,
    date_updated: rfc2822(now),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: String(segments(message.body)),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: {
      media: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}/Media.json`,
    },
    to: message.to,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
  });

  const notify = async (
    accountSid: string,
    authToken: string,
    message: EmulatedMessage,
    status: string,
    errorCode?: number,
  ) => {
    message.status = status;
    const url = message.statusCallback;
    if (!url) return;
    const params: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      From: message.from,
      MessageSid: message.sid,
      MessageStatus: status,
      SmsSid: message.sid,
      SmsStatus: status,
      To: message.to,
      ...(errorCode !== undefined ? { ErrorCode: String(errorCode) } : {}),
    };
    const signature = twilio.getExpectedTwilioSignature(authToken, url, params);
    let answer = 0;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signature,
          'User-Agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(5_000),
      });
      answer = response.status;
      await response.arrayBuffer();
    } catch {
      answer = 0;
    }
    callbacks.push({ url, params, signature, answer });
  };

  const api: CloudApi = (routes) => {
    const { accountSid, authToken } = routes.credentials;
    routes.route(
      'POST',
      /^\/2010-04-01\/Accounts\/(?<sid>AC[0-9a-fA-F]{32})\/Messages\.json$/,
      (request): CloudReply => {
        if (request.params.sid !== accountSid) return twilioError(401, 20003, 'Authenticate');
        const to = field(request, 'To');
        const from = field(request, 'From');
        const body = field(request, 'Body') ?? '';
        const statusCallback = field(request, 'StatusCallback');
        if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
        if (!E164.test(to))
          return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
        if (!from) return twilioError(400, 21603, "A 'From' phone number is required.");
        if (!options.smsNumbers.includes(from))
          return twilioError(
            400,
            21606,
            `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
          );
        if (body === '') return twilioError(400, 21602, 'Message body is required.');
        if ([...body].length > MAX_BODY_CHARACTERS)
          return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
        const fate = options.fate?.({ to, body }) ?? { outcome: 'delivered' };
        if (fate.outcome === 'refused') return twilioError(fate.status, fate.code, fate.message);
        const message: EmulatedMessage = {
          sid: `SM${randomBytes(16).toString('hex')}`,
          from,
          to,
          body,
          statusCallback,
          status: 'queued',
        };
        messages.push(message);
        const later = (async () => {
          await new Promise((resolve) => setTimeout(resolve, delay));
          if (fate.outcome === 'failed') {
            await notify(accountSid, authToken, message, 'failed', fate.errorCode);
            return;
          }
          await notify(accountSid, authToken, message, 'sent');
          await new Promise((resolve) => setTimeout(resolve, delay));
          if (fate.outcome === 'undelivered')
            await notify(accountSid, authToken, message, 'undelivered', fate.errorCode);
          else await notify(accountSid, authToken, message, 'delivered');
        })();
        pending.add(later);
        later.finally(() => pending.delete(later));
        return { status: 201, json: resource(accountSid, message, new Date()) };
      },
    );
    routes.route(
      'GET',
      /^\/2010-04-01\/Accounts\/(?<sid>AC[0-9a-fA-F]{32})\/Messages\/(?<message>SM[0-9a-f]{32})\.json$/,
      (request): CloudReply => {
        const message = messages.find((candidate) => candidate.sid === request.params.message);
        if (request.params.sid !== accountSid || !message)
          return twilioError(404, 20404, `The requested resource ${request.path} was not found`);
        return { status: 200, json: resource(accountSid, message, new Date()) };
      },
    );
  };

  return {
    api,
    messages,
    callbacks,
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
