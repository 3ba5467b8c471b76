import { DIALLED, EXTENSION, verifyForwardedMessage } from '@switchboard/contract';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { takeInboundMessage } from '../messaging/intake.js';
import { applyTextStatus } from '../messaging/text-status.js';
import { explainMessage } from '../routing/message-router.js';
import { endpointsOf } from '../routing/snapshot.js';
import { MESSAGE_DIRECTIONS, MESSAGE_STATUSES } from '../store/message-types.js';
import { isSignedByTwilio } from '../twilio-rest/index.js';
import { logWindow, logWindowQuery, numberFilter } from './log-query.js';
import { acceptForward, forwardHeaders, headerValue } from './signed-forward.js';
import type { AdminApiDeps, TypedApp } from './types.js';

/**
 * Texts: `POST /inbound-message` takes a text the /inbound-message Function forwarded (no bearer
 * token: it carries its own HMAC under SB_HEADER_SECRET, single use); `POST /message-status` takes
 * Twilio's status callbacks for texts we sent (no bearer token: X-Twilio-Signature with the
 * account's Auth Token over the public URL); `POST /messages` sends a text as an extension (bearer
 * token, the same decision and limits as a phone's); `GET /messages` is the log.
 * See docs/messaging.md.
 */

/** A status callback's form (Twilio sends more fields; all of them are signed). */
const statusCallbackFields = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/),
  MessageStatus: z.string().regex(/^[a-z-]{1,32}$/),
  ErrorCode: z
    .string()
    .regex(/^[0-9]{1,6}$/)
    .optional(),
});

/** A callback can come before the worker stored the SID the API returned (milliseconds): wait that long at most. */
const UNKNOWN_SID_WAIT_MS = 2_000;

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
      const check = await acceptForward(
        deps,
        reply,
        verifyForwardedMessage(request.body, forwardHeaders(request.headers), secret, now),
        {
          refused: 'forwarded text refused',
          replayed: 'refused: replayed (this MessageSid was already forwarded)',
        },
      );
      if (!check) return reply;
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

  app.register(async (scope) => {
    // Twilio posts form fields; only this route reads them (every other route takes JSON).
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, done) => {
        const fields: Record<string, string> = {};
        for (const [name, value] of new URLSearchParams(body as string)) fields[name] = value;
        done(null, fields);
      },
    );
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/message-status',
      {
        schema: {
          operationId: 'messageStatus',
          summary:
            "Twilio's status callback for a text Switchboard sent (X-Twilio-Signature over SB_PUBLIC_URL/message-status): the log follows; a failure is told to the phone",
          tags: ['messages'],
          security: [],
          body: z.record(z.string(), z.string()),
        },
      },
      async (request, reply) => {
        const settings = deps.textStatus;
        if (!settings)
          return reply
            .code(503)
            .send({ error: 'SB_TWILIO_AUTH_TOKEN and SB_PUBLIC_URL are needed to check status callbacks' });
        const params = request.body;
        if (
          !isSignedByTwilio(
            settings.authToken,
            headerValue(request.headers['x-twilio-signature']),
            settings.url,
            params,
          )
        ) {
          deps.logger.warn({ sid: params.MessageSid }, 'status callback refused: bad X-Twilio-Signature');
          return reply.code(403).send({ error: 'refused: X-Twilio-Signature does not match' });
        }
        const fields = statusCallbackFields.safeParse(params);
        if (!fields.success) return reply.code(400).send({ error: 'not a message status callback' });
        const update = {
          sid: fields.data.MessageSid,
          status: fields.data.MessageStatus,
          errorCode: fields.data.ErrorCode,
        };
        const deadline = Date.now() + UNKNOWN_SID_WAIT_MS;
        let outcome = await applyTextStatus(deps.store, update, deps.clock());
        while (outcome.result === 'unknown-sid' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          outcome = await applyTextStatus(deps.store, update, deps.clock());
        }
        if (outcome.noticeId) deps.onMessageStored?.();
        deps.logger.info(
          { event: 'text-status', ...update, result: outcome.result },
          'text status from Twilio',
        );
        // Unknown SIDs too: Twilio must not keep calling for a text this server does not have.
        return reply.code(200).send({ result: outcome.result });
      },
    );
  });

  app.post(
    '/messages',
    {
      schema: {
        operationId: 'sendMessage',
        summary:
          'Send a text as an extension (to another extension or a number): the same decision, policy and per-minute limit as a text from its phone',
        tags: ['messages'],
        body: z
          .object({
            extension: z.string().regex(EXTENSION),
            to: z.string().regex(DIALLED),
            body: z.string().min(1).max(1_600),
          })
          .strict(),
      },
    },
    async (request, reply) => {
      if (!deps.takeText) return reply.code(503).send({ error: 'texts are not wired on this server' });
      const { extension, to, body } = request.body;
      const known = deps.routing.snapshot.extensions.get(extension);
      const endpoint = known ? endpointsOf(known)[0] : undefined;
      if (!endpoint) return reply.code(404).send({ error: `no extension ${extension}` });
      const result = await deps.takeText({ endpoint, to, body, notifyRefusal: false }, deps.clock());
      if (result.outcome === 'refused') return reply.code(422).send({ ...result, error: result.because });
      return reply.code(202).send(result);
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
          ...logWindowQuery,
        }),
      },
    },
    async (request) => {
      const { since, until, number, ...rest } = request.query;
      // Extensions are kept as they are, numbers in E.164.
      const e164 = numberFilter(number, deps.routing.config.settings.defaultCountry);
      return deps.store.listMessages({
        ...rest,
        ...(e164 !== undefined ? { number: e164 } : {}),
        ...logWindow({ since, until }),
      });
    },
  );
}
