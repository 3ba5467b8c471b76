import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { MESSAGE_FORWARD_HEADER } from '@switchboard/contract';
import type { FastifyReply } from 'fastify';
import type { AdminApiDeps } from './types.js';

/** A request header as one value (the first, when it came more than once). */
export const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value[0] : value;

/** The signed hand-over's two headers (every kind of forward signs the same way: contract/signed-handover.ts). */
export function forwardHeaders(headers: IncomingHttpHeaders) {
  return {
    timestamp: headerValue(headers[MESSAGE_FORWARD_HEADER.timestamp]),
    signature: headerValue(headers[MESSAGE_FORWARD_HEADER.signature]),
  };
}

type Check<T> =
  | ({ readonly ok: true; readonly nonce: { value: string; expiresAt: number } } & T)
  | {
      readonly ok: false;
      readonly why: string;
    };

/**
 * A forward from the Twilio Functions at the door: a bad or stale signature is refused (403, one
 * warning), and so is a nonce the replay cache has seen (single use). The checked forward, or
 * undefined when the refusal has been sent.
 */
export async function acceptForward<T>(
  deps: Pick<AdminApiDeps, 'store' | 'logger'>,
  reply: FastifyReply,
  check: Check<T>,
  what: { readonly refused: string; readonly replayed: string },
): Promise<({ readonly ok: true } & T) | undefined> {
  if (!check.ok) {
    deps.logger.warn({ why: check.why }, what.refused);
    await reply.code(403).send({ error: `refused: ${check.why} signature` });
    return undefined;
  }
  if (
    !(await deps.store.claimNonce(
      check.nonce.value,
      randomUUID(),
      new Date(check.nonce.expiresAt).toISOString(),
    ))
  ) {
    await reply.code(403).send({ error: what.replayed });
    return undefined;
  }
  return check;
}
