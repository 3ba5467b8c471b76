import { describeIssue } from '@switchboard/contract';
import twilio from 'twilio';
import type { z } from 'zod';
import { type FunctionConfig, parseFunctionConfig } from './config.js';
import { log } from './log.js';

/**
 * One webhook, from the request Twilio sent to the TwiML it gets back:
 *   configuration (zod) -> X-Twilio-Signature (twilio.validateRequest, on the public URL) ->
 *   AccountSid -> parameters (zod) -> the handler's pure TwiML.
 * Twilio never gets a 500: a bad configuration, bad parameters or a failing handler give a log
 * line and safe TwiML (the fallback number if it is valid, else an apology). A request that is
 * not from Twilio (unsigned, tampered, another account) is refused with 403.
 */

export interface WebhookRequest {
  /** Environment of the Function (context): configuration and Twilio's own keys. */
  readonly env: Record<string, unknown>;
  /** DOMAIN_NAME and PATH as the runtime gives them: with PUBLIC_BASE_URL they make the signed URL. */
  readonly domainName: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly signature: string | undefined;
  readonly now: Date;
}

export interface WebhookResult {
  readonly status: number;
  readonly contentType: 'text/xml' | 'text/plain';
  readonly body: string;
}

export type TwimlHandler<P> = (config: FunctionConfig, params: P, now: Date) => string;

const SORRY = 'We are sorry, this call cannot be completed right now. Please try again later.';

/** What Twilio gets when something on our side is wrong: a person if we can, else an apology. */
export function safeTwiml(env: Record<string, unknown>): string {
  const response = new twilio.twiml.VoiceResponse();
  const fallback = env.FALLBACK_NUMBER;
  if (typeof fallback === 'string' && /^\+[1-9]\d{6,14}$/.test(fallback)) {
    response.dial().number(fallback);
  } else {
    response.say(SORRY);
    response.hangup();
  }
  return response.toString();
}

export function publicUrl(config: FunctionConfig, domainName: string, path: string): string {
  return `${config.PUBLIC_BASE_URL?.replace(/\/$/, '') ?? `https://${domainName}`}${path}`;
}

const xml = (body: string): WebhookResult => ({ status: 200, contentType: 'text/xml', body });
const refused = (why: string): WebhookResult => ({
  status: 403,
  contentType: 'text/plain',
  body: `Forbidden: ${why}\n`,
});

export function runWebhook<S extends z.ZodType<Record<string, unknown>>>(
  name: string,
  paramsSchema: S,
  handler: TwimlHandler<z.infer<S>>,
  request: WebhookRequest,
): WebhookResult {
  const config = parseFunctionConfig(request.env);
  if (!config.success) {
    const names = [...new Set(config.error.issues.map((issue) => String(issue.path[0])))];
    log('error', `invalid Function configuration: set ${names.join(', ')}; answering with safe TwiML`, {
      webhook: name,
      issues: config.error.issues.map(describeIssue),
    });
    return xml(safeTwiml(request.env));
  }
  const url = publicUrl(config.data, request.domainName, request.path);
  if (
    !request.signature ||
    !twilio.validateRequest(config.data.AUTH_TOKEN, request.signature, url, request.params)
  ) {
    log('warn', 'request refused: missing or wrong X-Twilio-Signature', {
      webhook: name,
      url,
      signed: Boolean(request.signature),
    });
    return refused('X-Twilio-Signature does not match');
  }
  if (request.params.AccountSid !== config.data.ACCOUNT_SID) {
    log('warn', 'request refused: another account', { webhook: name });
    return refused('wrong account');
  }
  const params = paramsSchema.safeParse(request.params);
  if (!params.success) {
    log('error', 'unexpected webhook parameters: answering with safe TwiML', {
      webhook: name,
      callSid: request.params.CallSid,
      issues: params.error.issues.map(describeIssue),
    });
    return xml(safeTwiml(request.env));
  }
  try {
    return xml(handler(config.data, params.data, request.now));
  } catch (error) {
    log('error', 'webhook failed: answering with safe TwiML', {
      webhook: name,
      callSid: request.params.CallSid,
      error: String(error),
    });
    return xml(safeTwiml(request.env));
  }
}
