import { type ForwardedMessage, MAX_MEDIA, signForwardedMessage } from '@switchboard/contract';
import twilio from 'twilio';
import { z } from 'zod';
import { parseFunctionConfig } from './config.js';
import { log } from './log.js';
import type { WebhookRequest, WebhookResult } from './webhook.js';
import { publicUrl } from './webhook.js';

/**
 * The Messaging webhook of a Twilio number, as one async step: configuration -> X-Twilio-Signature
 * (on the public URL) -> AccountSid -> parameters -> forward to Switchboard, signed, and answer
 * Twilio only with what Switchboard said: 200 `<Response/>` once it stored the text; 403 for a
 * forged or replayed webhook; 502 when Switchboard could not take it (Twilio then logs error
 * 11200 and calls the number's fallback URL). See docs/messaging.md.
 */

/** A Function has 10 s; leave room to answer. */
const FORWARD_TIMEOUT_MS = 8_000;

const messageParamsSchema = z
  .object({
    MessageSid: z.string(),
    AccountSid: z.string(),
    From: z.string(),
    To: z.string(),
    Body: z.string().default(''),
    NumMedia: z.coerce.number().int().min(0).max(MAX_MEDIA).default(0),
  })
  .loose();

const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();
const answer = (status: number, body: string, contentType: WebhookResult['contentType'] = 'text/plain') => ({
  status,
  contentType,
  body,
});

export type Post = (url: string, headers: Record<string, string>, body: string) => Promise<number>;

/** fetch with a deadline: the status Switchboard answered. */
export const postJson: Post = async (url, headers, body) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  return response.status;
};

export async function forwardInboundMessage(
  request: WebhookRequest,
  post: Post = postJson,
): Promise<WebhookResult> {
  const config = parseFunctionConfig(request.env);
  if (!config.success || !config.data.SB_MESSAGE_URL) {
    log(
      'error',
      'invalid Function configuration for texts: set SB_MESSAGE_URL and the rest; text not taken',
      {
        webhook: 'inbound-message',
      },
    );
    return answer(503, 'Service Unavailable\n');
  }
  const url = publicUrl(config.data, request.domainName, request.path);
  if (
    !request.signature ||
    !twilio.validateRequest(config.data.AUTH_TOKEN, request.signature, url, request.params)
  ) {
    log('warn', 'request refused: missing or wrong X-Twilio-Signature', { webhook: 'inbound-message', url });
    return answer(403, 'Forbidden: X-Twilio-Signature does not match\n');
  }
  if (request.params.AccountSid !== config.data.ACCOUNT_SID) return answer(403, 'Forbidden: wrong account\n');
  const params = messageParamsSchema.safeParse(request.params);
  if (!params.success) return answer(400, 'Bad Request\n');
  const message: ForwardedMessage = {
    messageSid: params.data.MessageSid,
    accountSid: params.data.AccountSid,
    from: params.data.From,
    to: params.data.To,
    body: params.data.Body,
    media: Array.from(
      { length: params.data.NumMedia },
      (_, index) => request.params[`MediaUrl${index}`] ?? '',
    ),
  };
  const headers = signForwardedMessage(message, config.data.SB_HEADER_SECRET, request.now);
  let status: number;
  try {
    status = await post(config.data.SB_MESSAGE_URL, headers, JSON.stringify(message));
  } catch (error) {
    log('error', 'Switchboard did not take the text', { sid: message.messageSid, error: String(error) });
    return answer(502, 'Bad Gateway\n');
  }
  if (status === 200) return answer(200, EMPTY_TWIML, 'text/xml');
  log(status === 403 ? 'warn' : 'error', 'Switchboard refused the text', { sid: message.messageSid, status });
  return status === 403
    ? answer(403, 'Forbidden: refused by Switchboard (replayed?)\n')
    : answer(502, 'Bad Gateway\n');
}
