import { randomUUID } from 'node:crypto';
import { MESSAGE_FORWARD_HEADER, toE164, verifyForwardedMessage } from '@switchboard/contract';
import { z } from 'zod';
import { takeInboundMessage } from '../messaging/intake.js';
import { explainMessage } from '../routing/message-router.js';
import { MESSAGE_DIRECTIONS, MESSAGE_STATUSES } from '../store/message-types.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * Texts: `POST /inbound-message` takes a text the /inbound-message Function forwarded (no bearer
 * token: it carries its own HMAC under SB_HEADER_SECRET, single use); `GET /messages` is the log.
 * See docs/messaging.md.
 */

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function registerMessageRoutes(app: TypedApp, deps: AdminApiDeps): void {
  app.post(
    '/inbound-message',
    {
      schema: {
        operationId: 'inboundMessage',
        summary:
          'A text Twilio delivered to the /inbound-message Function, forwarded signed (X-SB-Ts, X-SB-Sig): stored before the answer',
        tags: ['messages'],
        security: [],
        body: z.unknown(),
      },
    },
    async (request, reply) => {
      const secret = deps.headerSecret;
      if (!secret)
        return reply.code(503).send({ error: 'SB_HEADER_SECRET is not set: texts cannot be checked' });
      const now = deps.clock();
      const check = verifyForwardedMessage(
        request.body,
        {
          timestamp: header(request.headers[MESSAGE_FORWARD_HEADER.timestamp]),
          signature: header(request.headers[MESSAGE_FORWARD_HEADER.signature]),
        },
        secret,
        now,
      );
      if (!check.ok) {
        deps.logger.warn({ why: check.why }, 'forwarded text refused');
        return reply.code(403).send({ error: `refused: ${check.why} signature` });
      }
      if (
        !(await deps.store.claimNonce(
          check.nonce.value,
          randomUUID(),
          new Date(check.nonce.expiresAt).toISOString(),
        ))
      )
        return reply.code(403).send({ error: 'refused: replayed (this MessageSid was already forwarded)' });
      const result = await takeInboundMessage(deps.store, deps.routing.snapshot, check.message, now);
      if (result.outcome === 'duplicate')
        return reply.code(403).send({ error: 'refused: replayed (this MessageSid is already stored)' });
      if (result.outcome === 'stored') deps.onMessageStored?.();
      if (result.outcome === 'unknown-did')
        deps.logger.warn(
          { sid: check.message.messageSid, to: check.message.to, because: result.because },
          'text for an unknown DID: logged, not delivered',
        );
      return reply.code(200).send(result);
    },
  );

  app.post(
    '/messages/explain',
    {
      schema: {
        operationId: 'explainMessage',
        summary:
          'Where a text would go: inbound {did, from} -> the extensions and the rule; outbound {extension, to} -> local, SMS from which number, or refused and why',
        tags: ['messages'],
        body: z.union([
          z.object({ did: z.string().min(1).max(32), from: z.string().min(1).max(64) }).strict(),
          z.object({ extension: z.string().min(1).max(8), to: z.string().min(1).max(32) }).strict(),
        ]),
      },
    },
    async (request) => {
      const body = request.body;
      return explainMessage(
        deps.routing.snapshot,
        'did' in body ? { direction: 'inbound', ...body } : { direction: 'outbound', ...body },
      );
    },
  );

  app.get(
    '/messages',
    {
      schema: {
        operationId: 'listMessages',
        summary: 'The message log, newest first, with filters',
        tags: ['messages'],
        querystring: z.object({
          number: z.string().max(32).optional(),
          extension: z.string().max(8).optional(),
          direction: z.enum(MESSAGE_DIRECTIONS).optional(),
          status: z.enum(MESSAGE_STATUSES).optional(),
          since: z.iso.datetime({ offset: true }).optional(),
          until: z.iso.datetime({ offset: true }).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (request) => {
      const { since, until, number, ...rest } = request.query;
      // Numbers are kept in E.164 (extensions as they are): `5125550199` finds `+15125550199`.
      const e164 =
        number === undefined ? undefined : toE164(number, deps.routing.config.settings.defaultCountry);
      return deps.store.listMessages({
        ...rest,
        ...(number !== undefined ? { number: e164 ?? number } : {}),
        ...(since ? { since: new Date(since).toISOString() } : {}),
        ...(until ? { until: new Date(until).toISOString() } : {}),
      });
    },
  );
}
