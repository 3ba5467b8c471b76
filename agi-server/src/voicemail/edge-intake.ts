import type { ForwardedRecording } from '@switchboard/contract';
import { chooseRoute } from '../routing/select-route.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import type { SwitchboardStore } from '../store/types.js';
import { mailboxOwner, type NoticeFacts, noticeTimeZone, recordVoicemailMessage } from './notice.js';

/**
 * A voicemail left at the Twilio edge's fallback (docs/voicemail.md), forwarded signed by the
 * /voicemail-done Function: put on record once (its RecordingSid is the message's unique `sid`)
 * with its notices in the outbox, in one transaction, before the Function is answered; the audio
 * is fetched from Twilio by the email's attempt, retried until it comes. The call gets a row of
 * its own in the call log (`edge-<CallSid>`: the PBX never saw the call) with a note.
 */

export interface EdgeIntakeOptions {
  readonly store: SwitchboardStore;
  readonly snapshot: RoutingSnapshot;
  readonly context: string;
  readonly mailFrom: string | undefined;
  readonly textNotices: boolean;
}

/**
 * The mailbox an edge voicemail belongs to: the route the call would have taken (chooseRoute: the
 * DID and the caller, as for a call), its open plan's voicemail step, else its first extension.
 */
export function edgeMailbox(
  snapshot: RoutingSnapshot,
  did: string,
  caller: string,
): { mailbox: string; routeId: string } | undefined {
  const { route } = chooseRoute(snapshot, { did, caller, routeKey: undefined });
  if (!route) return undefined;
  const plan = route.plans.open;
  for (const step of plan) if (step.type === 'voicemail') return { mailbox: step.mailbox, routeId: route.id };
  for (const step of plan) {
    const first =
      step.type === 'extension'
        ? step.extension
        : step.type === 'ring-group' || step.type === 'hunt'
          ? step.extensions[0]
          : undefined;
    if (first) {
      const owner = snapshot.extensions.get(first);
      return { mailbox: owner?.mailbox ?? first, routeId: route.id };
    }
  }
  return undefined;
}

export const edgeLinkedId = (callSid: string) => `edge-${callSid}`;

/**
 * How Switchboard learnt of it: the Function's signed forward, or the recovery sweep of Twilio's
 * Recordings list (edge-sweep.ts) when the forward never arrived. Both come here, so one
 * RecordingSid is one message and one set of notices whichever comes first.
 */
export type EdgeVoicemailSource = 'forward' | 'sweep';

export async function recordEdgeVoicemail(
  options: EdgeIntakeOptions,
  recording: ForwardedRecording,
  now: Date,
  source: EdgeVoicemailSource = 'forward',
): Promise<'stored' | 'duplicate'> {
  const { snapshot, store } = options;
  const target = edgeMailbox(snapshot, recording.to, recording.from);
  const mailbox = target?.mailbox ?? 'none';
  const owner = target ? mailboxOwner(snapshot, target.mailbox) : undefined;
  const at = now.toISOString();
  const facts: NoticeFacts = {
    mailbox,
    callerNumber: recording.from,
    callerName: undefined,
    did: recording.to,
    routeId: target?.routeId,
    durationSeconds: recording.durationSeconds,
    at,
    timeZone: noticeTimeZone(snapshot, target?.routeId),
    origin: 'edge',
    id: recording.recordingSid,
  };
  const { stored } = await recordVoicemailMessage(store, snapshot, options, {
    facts,
    owner,
    sid: recording.recordingSid,
    from: recording.from,
    to: recording.to,
    did: recording.to,
    details: {
      origin: 'edge',
      context: options.context,
      mailbox,
      recordingSid: recording.recordingSid,
      callSid: recording.callSid,
      linkedId: edgeLinkedId(recording.callSid),
      routeId: target?.routeId,
      durationSeconds: recording.durationSeconds,
    },
  });
  if (!stored) return 'duplicate';
  // The call's row: the PBX never saw it, so it is put on record here, with what happened.
  await store.writeCallEvents([
    {
      type: 'start',
      linkedId: edgeLinkedId(recording.callSid),
      at,
      callSid: recording.callSid,
      did: recording.to,
      caller: recording.from,
      routeId: target?.routeId,
      version: snapshot.version,
      plan: undefined,
      note: `voicemail at the Twilio edge (PBX unreachable): ${recording.recordingSid}, ${recording.durationSeconds} s, mailbox ${mailbox}${source === 'sweep' ? ' (found by the recovery sweep: the forward never arrived)' : ''}`,
      signature: undefined,
    },
    {
      type: 'end',
      linkedId: edgeLinkedId(recording.callSid),
      at,
      disposition: 'voicemail',
      answeredBy: undefined,
      answeredAt: undefined,
    },
  ]);
  return 'stored';
}
