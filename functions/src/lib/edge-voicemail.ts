import { type ForwardedRecording, RECORDING_SID, signForwardedRecording } from '@switchboard/contract';
import { z } from 'zod';
import { voicemailDone } from './fallback.js';
import { type Post, postJson } from './inbound-message.js';
import { log } from './log.js';
import { voiceParamsSchema } from './params.js';
import { runWebhook, type WebhookRequest, type WebhookResult } from './webhook.js';

/**
 * <Record action=/voicemail-done>: the caller left a message at the fallback while the PBX could
 * not be reached (docs/voicemail.md). The webhook is checked as every webhook is (signature,
 * account, parameters); then the recording is forwarded to Switchboard's /edge-voicemail, signed
 * with SB_HEADER_SECRET, and the Function waits for Switchboard to store it before it answers.
 * Whatever Switchboard says, the caller hears the goodbye; a recording Switchboard did not take is
 * logged with its SID and URL (Twilio does not retry this request); Switchboard's recovery sweep
 * finds it in the account's Recordings list later (docs/voicemail.md, "Recovery sweep").
 */

const recordActionParamsSchema = voiceParamsSchema.extend({
  To: z.string().regex(/^\+[1-9]\d{6,14}$/),
  RecordingUrl: z.url(),
  RecordingSid: z.string().regex(RECORDING_SID).optional(),
  RecordingDuration: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
});

export async function forwardEdgeVoicemail(
  request: WebhookRequest,
  post: Post = postJson,
): Promise<WebhookResult> {
  let taken:
    | { url: string | undefined; secret: string; params: z.infer<typeof recordActionParamsSchema> }
    | undefined;
  const result = runWebhook(
    'voicemail-done',
    recordActionParamsSchema,
    (config, params) => {
      taken = { url: config.SB_VOICEMAIL_URL, secret: config.SB_HEADER_SECRET, params };
      return voicemailDone();
    },
    request,
  );
  if (!taken) return result;
  const { params } = taken;
  const recordingSid = params.RecordingSid ?? /\/Recordings\/(RE[0-9a-f]{32})/.exec(params.RecordingUrl)?.[1];
  const facts = { callSid: params.CallSid, recordingSid, recordingUrl: params.RecordingUrl };
  if (!taken.url || !recordingSid) {
    log(
      'error',
      "edge voicemail not forwarded (set SB_VOICEMAIL_URL): left to Switchboard's recovery sweep",
      facts,
    );
    return result;
  }
  const recording: ForwardedRecording = {
    recordingSid,
    callSid: params.CallSid,
    accountSid: params.AccountSid,
    from: /^[A-Za-z0-9+:@._-]{1,64}$/.test(params.From) ? params.From : 'anonymous',
    to: params.To,
    durationSeconds: Number(params.RecordingDuration ?? '0'),
  };
  try {
    const status = await post(
      taken.url,
      signForwardedRecording(recording, taken.secret, request.now),
      JSON.stringify(recording),
    );
    if (status === 200) log('info', 'edge voicemail taken by Switchboard', facts);
    else
      log('error', 'Switchboard refused the edge voicemail: left to its recovery sweep', {
        ...facts,
        status,
      });
  } catch (error) {
    log('error', 'Switchboard did not take the edge voicemail: left to its recovery sweep', {
      ...facts,
      error: String(error),
    });
  }
  return result;
}
