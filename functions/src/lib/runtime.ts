/// <reference types="@twilio-labs/serverless-runtime-types" />
import type {
  Context,
  ServerlessCallback,
  ServerlessFunctionSignature,
} from '@twilio-labs/serverless-runtime-types/types.js';
import type { z } from 'zod';
import { runWebhook, type TwimlHandler, type WebhookRequest, type WebhookResult } from './webhook.js';

/**
 * The Twilio Functions runtime edge: `event` is the request's query and form fields merged, plus
 * `request.headers`; the answer is a Twilio.Response (a global of the runtime) with text/xml.
 */

/** The webhook request as the runtime hands it over. */
export function webhookRequestOf(context: Context, event: Record<string, unknown>): WebhookRequest {
  const { request, ...fields } = event as { request?: { headers?: Record<string, string | string[]> } };
  const params = Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const signatureHeader = request?.headers?.['x-twilio-signature'];
  return {
    env: context as unknown as Record<string, unknown>,
    domainName: context.DOMAIN_NAME,
    path: context.PATH,
    params,
    signature: Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader,
    now: new Date(),
  };
}

export function respond(callback: ServerlessCallback, result: WebhookResult): void {
  const response = new Twilio.Response();
  response.setStatusCode(result.status);
  response.appendHeader('Content-Type', result.contentType);
  response.setBody(result.body);
  callback(null, response);
}

export function twilioHandler<S extends z.ZodType<Record<string, unknown>>>(
  name: string,
  paramsSchema: S,
  handler: TwimlHandler<z.infer<S>>,
): ServerlessFunctionSignature {
  return (context: Context, event: Record<string, unknown>, callback: ServerlessCallback) => {
    respond(callback, runWebhook(name, paramsSchema, handler, webhookRequestOf(context, event)));
  };
}

/**
 * A webhook whose answer waits on work of its own (a signed forward to Switchboard): the result
 * when it resolves, the runtime's error answer when it throws.
 */
export function forwardingHandler(
  forward: (request: WebhookRequest) => Promise<WebhookResult>,
): ServerlessFunctionSignature {
  return (context: Context, event: Record<string, unknown>, callback: ServerlessCallback) => {
    forward(webhookRequestOf(context, event)).then(
      (result) => respond(callback, result),
      (error: unknown) => callback(error as Error),
    );
  };
}
