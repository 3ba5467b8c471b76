import { randomUUID } from 'node:crypto';
import type { OutboundLimits } from '../limits/outbound-limiter.js';
import { decideOutboundMessage, type MessageRefusal, refusalText } from '../routing/message-router.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import { type NewDelivery, utf8Bytes } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';

/**
 * A text a phone sent (SIP MESSAGE → its endpoint's message_context → the `message` AGI script),
 * from the verified facts to the store (docs/messaging.md). The sender is the PJSIP endpoint the
 * MESSAGE came in on, never its From header. The pure decision (routing/message-router.ts) says:
 * another extension → delivered locally by the same phone outbox as inbound texts (no Twilio);
 * an outside number → the per-minute limit (the one the calls use), then stored and queued for
 * Twilio (an `sms` outbox row); refused → stored as refused, and the phone is told why in a
 * MESSAGE of its own (Asterisk already answered 202: the phone believes it was sent).
 */

export interface TextFromPhone {
  /** The PJSIP endpoint the MESSAGE came in on (rendered into its message_context). */
  readonly endpoint: string;
  /** What the phone addressed: an extension or a number as dialled. */
  readonly to: string;
  readonly body: string;
  /** Tell the phone when the text is refused (false: the caller answers for it, e.g. the API). */
  readonly notifyRefusal?: boolean;
}

export type PhoneTextResult =
  | { readonly outcome: 'local'; readonly id: string; readonly to: string; readonly deliveries: number }
  | { readonly outcome: 'sms'; readonly id: string; readonly to: string; readonly sender: string }
  | {
      readonly outcome: 'refused';
      readonly id: string;
      readonly reason: MessageRefusal;
      readonly because: string;
    };

export interface PhoneTextDeps {
  readonly store: SwitchboardStore;
  readonly limiter: OutboundLimits;
}

/**
 * Texts do not hold a call's place: only the per-minute count applies, so the concurrent-call
 * limit is lifted for the admission (and the text released at once).
 */
const NO_CONCURRENCY_LIMIT = 1_000_000;

/** What a phone shows as the sender of a notice: the number it texted (that thread), else Switchboard's extension. */
function noticeSender(regarding: string | undefined, extension: string): string {
  return regarding && /^\+?[0-9]{2,15}$/.test(regarding) ? regarding : extension;
}

/**
 * Tells a phone, in a MESSAGE of its own, that its text was not sent: stored as a local message
 * (it shows in /messages) with one phone delivery to the endpoint the text came from.
 */
export async function notifyPhone(
  store: SwitchboardStore,
  facts: {
    readonly endpoint: string;
    readonly extension: string;
    readonly regarding: string | undefined;
    readonly text: string;
    readonly about: string;
  },
  now: Date,
): Promise<string> {
  const id = randomUUID();
  const from = noticeSender(facts.regarding, facts.extension);
  await store.recordMessage(
    {
      id,
      direction: 'local',
      sid: undefined,
      from,
      to: facts.extension,
      extensions: [facts.extension],
      body: facts.text,
      media: [],
      status: 'received',
      reason: `notice about ${facts.about}`,
      at: now.toISOString(),
    },
    [{ kind: 'phone', target: facts.endpoint, payload: { from, body: facts.text } }],
  );
  return id;
}

export async function takePhoneText(
  deps: PhoneTextDeps,
  snapshot: RoutingSnapshot,
  text: TextFromPhone,
  now: Date,
): Promise<PhoneTextResult> {
  const { store } = deps;
  const id = randomUUID();
  const extension = snapshot.extensionByEndpoint.get(text.endpoint) ?? '';
  const at = now.toISOString();
  let verdict = decideOutboundMessage(snapshot, {
    from: extension,
    to: text.to,
    bodyBytes: utf8Bytes(text.body),
  });
  const base = { id, sid: undefined, from: extension || text.endpoint, body: text.body, media: [], at };

  if (verdict.kind === 'local') {
    const { recipient } = verdict;
    const payload = { from: extension, body: text.body };
    const deliveries: NewDelivery[] = recipient.endpoints.map((endpoint) => ({
      kind: 'phone' as const,
      target: endpoint,
      payload,
    }));
    await store.recordMessage(
      {
        ...base,
        direction: 'local',
        to: recipient.extension,
        extensions: [...new Set([extension, recipient.extension])],
        status: 'received',
        reason: undefined,
      },
      deliveries,
    );
    return { outcome: 'local', id, to: recipient.extension, deliveries: deliveries.length };
  }

  if (verdict.kind === 'sms') {
    const admission = await deps.limiter.admit(
      extension,
      `text:${id}`,
      { ...verdict.policy, maxConcurrent: NO_CONCURRENCY_LIMIT },
      now.getTime(),
    );
    deps.limiter.release(`text:${id}`);
    if (admission === 'ok') {
      await store.recordMessage(
        {
          ...base,
          direction: 'outbound',
          to: verdict.to,
          extensions: [extension],
          status: 'queued',
          reason: undefined,
        },
        [
          {
            kind: 'sms',
            target: verdict.to,
            payload: { from: verdict.sender, body: text.body, replyTo: text.endpoint },
          },
        ],
      );
      return { outcome: 'sms', id, to: verdict.to, sender: verdict.sender };
    }
    verdict = {
      kind: 'refused',
      from: extension,
      reason: 'calls-per-minute',
      to: verdict.to,
      because: refusalText('calls-per-minute', verdict.to),
    };
  }

  // Refused: on record, nothing sent, and the phone is told why.
  await store.recordMessage(
    {
      ...base,
      direction: 'outbound',
      to: verdict.to ?? text.to,
      extensions: extension ? [extension] : [],
      status: 'refused',
      reason: verdict.because,
    },
    [],
  );
  if (text.notifyRefusal !== false)
    await notifyPhone(
      store,
      {
        endpoint: text.endpoint,
        extension: extension || text.endpoint,
        regarding: verdict.to ?? text.to,
        text: verdict.because,
        about: id,
      },
      now,
    );
  return { outcome: 'refused', id, reason: verdict.reason, because: verdict.because };
}
