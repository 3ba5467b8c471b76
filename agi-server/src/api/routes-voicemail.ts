import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { EXTENSION, VOICEMAIL_MESSAGE_ID, verifyForwardedRecording } from '@switchboard/contract';
import { z } from 'zod';
import { NotFoundError } from '../config-service/routing-service.js';
import type { SpoolMessage } from '../media/voicemail-spool.js';
import { recordEdgeVoicemail } from '../voicemail/edge-intake.js';
import { InvalidRequestError, requireSetting } from './errors.js';
import { acceptForward, forwardHeaders } from './signed-forward.js';
import type { AdminApiDeps, TypedApp } from './types.js';
import { uploadedWav, writeWavFile } from './wav-upload.js';

/**
 * Visual voicemail (docs/voicemail.md), with the admin token like every route: the mailboxes and
 * their messages read from app_voicemail's spool, a message's audio, heard (INBOX → Old) and
 * delete done by Asterisk over AMI (so the phone's light follows), and the greetings callers hear.
 * A message is named by mailbox (EXTENSION) and msg_id (VOICEMAIL_MESSAGE_ID), never by a path:
 * anything else is a 400 before the spool is touched.
 */

const mailboxParam = z.string().regex(EXTENSION, 'a mailbox: 2 to 6 digits');
const messageParams = z.object({
  mailbox: mailboxParam,
  id: z.string().regex(VOICEMAIL_MESSAGE_ID, "a message id (app_voicemail's msg_id)"),
});
/** The greetings app_voicemail plays: unavail (VoiceMail(box,u)) and busy (b). */
export const GREETINGS = ['unavail', 'busy'] as const;
const greetingParams = z.object({ mailbox: mailboxParam, kind: z.enum(GREETINGS) });

function view(message: SpoolMessage) {
  return {
    id: message.msgId,
    mailbox: message.mailbox,
    folder: message.folder,
    status: message.folder === 'INBOX' ? ('new' as const) : ('heard' as const),
    callerNumber: message.callerNumber,
    callerName: message.callerName,
    at: message.at,
    durationSeconds: message.durationSeconds,
    linkedId: message.linkedId,
    audio: `/voicemail/${message.mailbox}/${encodeURIComponent(message.msgId)}/audio`,
  };
}

/** Runs an AMI change; its failure (AMI away, Asterisk refused) as the 502's text, else undefined. */
async function byAsterisk(change: () => Promise<void>): Promise<string | undefined> {
  try {
    await change();
    return undefined;
  } catch (error) {
    return `the PBX did not make the change: ${(error as Error).message}`;
  }
}

export function registerVoicemailRoutes(app: TypedApp, deps: AdminApiDeps): void {
  app.post(
    '/edge-voicemail',
    {
      schema: {
        operationId: 'edgeVoicemail',
        summary:
          'A voicemail left at the Twilio fallback, forwarded signed (X-SB-Ts, X-SB-Sig) by /voicemail-done: stored with its notices before the answer',
        tags: ['voicemail'],
        security: [],
        body: z.unknown(),
      },
    },
    async (request, reply) => {
      const secret = deps.headerSecret;
      if (!secret || !deps.edgeVoicemail)
        return reply
          .code(503)
          .send({ error: 'SB_HEADER_SECRET is not set: edge voicemails cannot be checked' });
      const now = deps.clock();
      const check = await acceptForward(
        deps,
        reply,
        verifyForwardedRecording(request.body, forwardHeaders(request.headers), secret, now),
        {
          refused: 'forwarded edge voicemail refused',
          replayed: 'refused: replayed (this RecordingSid was already forwarded)',
        },
      );
      if (!check) return reply;
      const outcome = await recordEdgeVoicemail(
        { store: deps.store, snapshot: deps.routing.snapshot, ...deps.edgeVoicemail },
        check.recording,
        now,
      );
      // Already on record (the recovery sweep found it first, docs/voicemail.md): taken, nothing new
      // to send; 200 so the Function does not log it as lost.
      if (outcome === 'duplicate') return reply.code(200).send({ outcome });
      deps.onMessageStored?.();
      deps.logger.info(
        {
          event: 'voicemail-received',
          origin: 'edge',
          recordingSid: check.recording.recordingSid,
          callSid: check.recording.callSid,
        },
        'edge voicemail put on record',
      );
      return reply.code(200).send({ outcome });
    },
  );

  const spool = () =>
    requireSetting(
      deps.voicemail,
      'SB_VOICEMAIL_DIR',
      "voicemail is off: set SB_VOICEMAIL_DIR to app_voicemail's spool folder",
    );
  const pbx = () => {
    const access = spool();
    const asterisk = requireSetting(
      access.pbx,
      'SB_AMI_SECRET',
      'Asterisk moves and deletes messages over AMI: set SB_AMI_SECRET',
    );
    return { ...access, pbx: asterisk };
  };
  const find = async (mailbox: string, id: string) => {
    const message = await spool().spool.find(mailbox, id);
    if (!message) throw new NotFoundError(`no message ${id} in mailbox ${mailbox}`);
    return message;
  };

  app.get(
    '/voicemail',
    {
      schema: {
        operationId: 'listVoicemail',
        summary: 'Mailboxes and their messages (new, then heard; caller, time, duration)',
        tags: ['voicemail'],
        querystring: z.object({ mailbox: mailboxParam.optional() }),
      },
    },
    async (request) => {
      const { spool: boxes } = spool();
      const names = request.query.mailbox ? [request.query.mailbox] : await boxes.mailboxes();
      const extensions = deps.routing.config.extensions;
      return {
        mailboxes: await Promise.all(
          names.map(async (mailbox) => {
            const messages = await boxes.list(mailbox);
            const owner =
              extensions.find((extension) => extension.mailbox === mailbox) ??
              extensions.find((extension) => extension.number === mailbox);
            return {
              mailbox,
              owner: owner ? { number: owner.number, name: owner.name } : undefined,
              new: messages.filter((message) => message.folder === 'INBOX').length,
              heard: messages.filter((message) => message.folder === 'Old').length,
              messages: messages.map(view),
            };
          }),
        ),
      };
    },
  );

  app.get(
    '/voicemail/:mailbox/:id/audio',
    {
      schema: {
        operationId: 'voicemailAudio',
        summary: "A message's audio (audio/wav)",
        tags: ['voicemail'],
        params: messageParams,
      },
    },
    async (request, reply) => {
      const message = await find(request.params.mailbox, request.params.id);
      const audio = await spool().spool.audio(message);
      if (!audio) throw new NotFoundError(`message ${message.msgId} has no audio`);
      return reply
        .type('audio/wav')
        .header('content-length', String(audio.bytes))
        .header('content-disposition', `inline; filename="voicemail-${message.mailbox}-${message.msgId}.wav"`)
        .send(createReadStream(audio.path));
    },
  );

  app.post(
    '/voicemail/:mailbox/:id/heard',
    {
      schema: {
        operationId: 'markVoicemailHeard',
        summary: 'Mark a message heard: Asterisk moves it from INBOX to Old (the light follows)',
        tags: ['voicemail'],
        params: messageParams,
      },
    },
    async (request, reply) => {
      const { pbx: asterisk, spool: boxes } = pbx();
      const message = await find(request.params.mailbox, request.params.id);
      if (message.folder === 'INBOX') {
        const failed = await byAsterisk(() =>
          asterisk.move(boxes.context, message.mailbox, 'INBOX', message.msgId, 'Old'),
        );
        if (failed) return reply.code(502).send({ error: failed });
      }
      deps.logger.info(
        { event: 'voicemail-heard', mailbox: message.mailbox, msgId: message.msgId, author: request.author },
        'voicemail marked heard',
      );
      return { id: message.msgId, mailbox: message.mailbox, status: 'heard' as const };
    },
  );

  app.delete(
    '/voicemail/:mailbox/:id',
    {
      schema: {
        operationId: 'deleteVoicemail',
        summary: 'Delete a message on the PBX (Asterisk removes it; the light follows)',
        tags: ['voicemail'],
        params: messageParams,
      },
    },
    async (request, reply) => {
      const { pbx: asterisk, spool: boxes } = pbx();
      const message = await find(request.params.mailbox, request.params.id);
      const failed = await byAsterisk(() =>
        asterisk.remove(boxes.context, message.mailbox, message.folder, message.msgId),
      );
      if (failed) return reply.code(502).send({ error: failed });
      deps.logger.info(
        {
          event: 'voicemail-deleted',
          mailbox: message.mailbox,
          msgId: message.msgId,
          author: request.author,
        },
        'voicemail deleted',
      );
      return reply.code(204).send();
    },
  );

  app.put(
    '/voicemail/:mailbox/greetings/:kind',
    {
      schema: {
        operationId: 'putVoicemailGreeting',
        summary:
          'Upload the unavailable or busy greeting (WAV: PCM, mono, 8000 Hz, 16-bit; Content-Type audio/wav)',
        tags: ['voicemail'],
        params: greetingParams,
      },
    },
    async (request) => {
      const { spool: boxes } = spool();
      const { body, seconds } = uploadedWav(request.body);
      const dir = boxes.mailboxDir(request.params.mailbox);
      if (!dir) throw new InvalidRequestError([{ path: 'params.mailbox', message: 'not a mailbox' }]);
      await mkdir(dir, { recursive: true });
      // app_voicemail plays <box>/unavail.wav or busy.wav (format=wav).
      await writeWavFile(dir, request.params.kind, body);
      deps.logger.info(
        {
          event: 'voicemail-greeting',
          mailbox: request.params.mailbox,
          kind: request.params.kind,
          bytes: body.length,
          author: request.author,
        },
        'voicemail greeting uploaded',
      );
      return {
        mailbox: request.params.mailbox,
        kind: request.params.kind,
        bytes: body.length,
        seconds: Math.round(seconds * 100) / 100,
      };
    },
  );
}
