import { randomUUID } from 'node:crypto';
import type { Extension } from '../routing/model.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import { timeZoneOfRoute } from '../routing/snapshot.js';
import type { NewDelivery, VoicemailFacts } from '../store/message-types.js';
import type { SwitchboardStore } from '../store/types.js';

/**
 * What a voicemail notice says (docs/voicemail.md): who called (number and name), which number
 * they called and the route, how long the message is, and when, on the clock of the route's
 * schedule (its time zone; UTC for a route without a schedule). Pure: the facts are arguments.
 */

export interface NoticeFacts {
  readonly mailbox: string;
  readonly callerNumber: string | undefined;
  readonly callerName: string | undefined;
  readonly did: string | undefined;
  readonly routeId: string | undefined;
  readonly durationSeconds: number;
  /** ISO instant the message was left. */
  readonly at: string;
  readonly timeZone: string;
  /** Where the audio can be played when it is not attached (too large, or a link for a text). */
  readonly link?: string | undefined;
  readonly origin: 'pbx' | 'edge';
  /**
   * The message's id, short enough for a text: app_voicemail's msg_id for a PBX message (what
   * GET /voicemail and `switchboard voicemail play` take), the RecordingSid for an edge one (its
   * `sid` in GET /messages, and Twilio's own name for it).
   */
  readonly id?: string | undefined;
}

/** The extension a mailbox belongs to: the one naming it as `mailbox`, else the one with its number. */
export function mailboxOwner(snapshot: RoutingSnapshot, mailbox: string): Extension | undefined {
  return (
    snapshot.config.extensions.find((extension) => extension.mailbox === mailbox) ??
    snapshot.extensions.get(mailbox)
  );
}

/**
 * The number a text notice is sent from: the DID that was called when it can send SMS
 * (`messaging.smsNumbers`), else the owner's own outbound number when it can, else the first
 * SMS-capable number; none: no text notice.
 */
export function noticeSender(
  snapshot: RoutingSnapshot,
  did: string | undefined,
  owner: Extension | undefined,
): string | undefined {
  const numbers = snapshot.config.messaging.smsNumbers;
  if (did && numbers.includes(did)) return did;
  if (owner?.outboundCallerId && numbers.includes(owner.outboundCallerId)) return owner.outboundCallerId;
  return numbers[0];
}

export function noticeTimeZone(snapshot: RoutingSnapshot, routeId: string | undefined): string {
  return timeZoneOfRoute(snapshot, routeId) ?? 'UTC';
}

/** `2026-12-03 10:04 CST` on the given clock. */
export function localTime(at: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

/** A caller as people read it: `Ann Smith (+15125550199)`, the number alone, or `an unknown caller`. */
export function callerLabel(facts: Pick<NoticeFacts, 'callerNumber' | 'callerName'>): string {
  const number = facts.callerNumber;
  const name = facts.callerName && facts.callerName !== number ? facts.callerName : undefined;
  if (number && name) return `${name} (${number})`;
  return number ?? name ?? 'an unknown caller';
}

/** Control characters out, length bounded: caller text goes into a mail header and body. */
function clean(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, max);
}

export function emailNotice(facts: NoticeFacts): { subject: string; text: string } {
  const caller = clean(callerLabel(facts), 120);
  const when = localTime(facts.at, facts.timeZone);
  const lines = [
    `New voicemail in mailbox ${facts.mailbox}.`,
    '',
    `From:     ${caller}`,
    `Called:   ${facts.did ?? 'unknown number'}${facts.routeId ? ` (route ${facts.routeId})` : ''}`,
    `Duration: ${facts.durationSeconds} s`,
    `Left at:  ${when}`,
    ...(facts.id ? [`Id:       ${clean(facts.id, 64)}`] : []),
    ...(facts.origin === 'edge'
      ? ['', 'Left at the Twilio fallback while the PBX could not be reached.']
      : []),
    ...(facts.link ? ['', `Listen: ${facts.link}`] : []),
  ];
  return {
    subject: clean(`Voicemail from ${caller} (${facts.durationSeconds} s) at ${when}`, 200),
    text: `${lines.join('\n')}\n`,
  };
}

/** The text notice: short (one SMS segment where it can be). */
export function textNotice(facts: NoticeFacts): string {
  const when = localTime(facts.at, facts.timeZone);
  const id = facts.id ? `, id ${facts.id}` : '';
  return clean(
    `Voicemail from ${callerLabel(facts)}, ${facts.durationSeconds} s, ${when}. Mailbox ${facts.mailbox}${id}.${facts.link ? ` ${facts.link}` : ''}`,
    300,
  );
}

/** Why a voicemail row has no deliveries: nobody can be told of it. */
export const NOBODY_TO_NOTIFY = 'nobody to notify: no email (or mobile and Twilio) for the mailbox';

/**
 * A voicemail's notices, wherever it was left (PBX spool or Twilio edge): the email with the
 * owner's address and a From, the text notice with the owner's mobile, Twilio and a sender number.
 */
export function noticeDeliveries(
  snapshot: RoutingSnapshot,
  facts: NoticeFacts,
  owner: Extension | undefined,
  did: string | undefined,
  options: { readonly mailFrom: string | undefined; readonly textNotices: boolean },
): NewDelivery[] {
  const deliveries: NewDelivery[] = [];
  if (owner?.email && options.mailFrom) {
    const mail = emailNotice(facts);
    deliveries.push({
      kind: 'email',
      target: owner.email,
      payload: { from: options.mailFrom, subject: mail.subject, body: mail.text },
    });
  }
  const sender = noticeSender(snapshot, did, owner);
  if (owner?.mobile && options.textNotices && sender)
    deliveries.push({
      kind: 'notice',
      target: owner.mobile,
      payload: { from: sender, body: textNotice(facts) },
    });
  return deliveries;
}

/**
 * A voicemail, wherever it was left, put on record with its notices in one transaction: the
 * message row (its text notice as the body, NOBODY_TO_NOTIFY when nobody is) and its outbox rows.
 * Not stored when a message with the same `sid` was already (a second scan, a late forward).
 */
export async function recordVoicemailMessage(
  store: SwitchboardStore,
  snapshot: RoutingSnapshot,
  options: { readonly mailFrom: string | undefined; readonly textNotices: boolean },
  voicemail: {
    readonly facts: NoticeFacts;
    readonly owner: Extension | undefined;
    /** The message's unique key: the spool's msg_id key, or the RecordingSid. */
    readonly sid: string;
    readonly from: string;
    readonly to: string;
    readonly did: string | undefined;
    readonly details: VoicemailFacts;
  },
): Promise<{ readonly stored: boolean; readonly notices: readonly NewDelivery['kind'][] }> {
  const { facts, owner } = voicemail;
  const deliveries = noticeDeliveries(snapshot, facts, owner, voicemail.did, options);
  const stored = await store.recordMessage(
    {
      id: randomUUID(),
      direction: 'voicemail',
      sid: voicemail.sid,
      from: voicemail.from,
      to: voicemail.to,
      extensions: [owner?.number ?? facts.mailbox],
      body: textNotice(facts),
      media: [],
      status: 'received',
      reason: deliveries.length === 0 ? NOBODY_TO_NOTIFY : undefined,
      at: facts.at,
      voicemail: voicemail.details,
    },
    deliveries,
  );
  return { stored, notices: deliveries.map((delivery) => delivery.kind) };
}
