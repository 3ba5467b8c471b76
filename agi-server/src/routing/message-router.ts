import { toE164 } from '@switchboard/contract';
import type { MessagingConfig } from './messaging-model.js';
import type { Plan } from './model.js';
import { classifyOutbound, type DenialReason, policyFor } from './outbound.js';
import type { OutboundPolicy } from './outbound-model.js';
import { chooseRoute } from './select-route.js';
import { endpointsOf, type RoutingSnapshot } from './snapshot.js';

/**
 * Where a text goes, pure (the same snapshot as calls, no clock: texts have no opening hours).
 * Inbound: a DID's texts go to the extensions `messaging.targets` names, else to the extensions
 * of the open plan of the route that would take a call from the same sender. Outbound: another
 * extension is delivered locally; an outside number goes through the extension's outbound policy
 * (the one call classification in outbound.ts) and is sent from the extension's own number, which
 * must be an owned number that can send SMS. Rate limits are state: checked at the edge.
 */

export interface MessageRecipient {
  readonly extension: string;
  /** The PJSIP endpoints whose every registered contact gets the MESSAGE. */
  readonly endpoints: readonly string[];
  /** Where the text also goes when no endpoint has a registered contact (messaging.forwardToMobile). */
  readonly mobile: string | undefined;
}

export type InboundMessageVerdict =
  | {
      readonly kind: 'deliver';
      readonly did: string;
      readonly recipients: readonly MessageRecipient[];
      /** Which rule chose them: a `messaging.targets` entry, or a route's open plan. */
      readonly source: { readonly kind: 'targets' } | { readonly kind: 'route'; readonly routeId: string };
      readonly because: string;
    }
  | { readonly kind: 'unknown-did'; readonly did: string | undefined; readonly because: string };

export type MessageRefusal =
  | Exclude<DenialReason, 'no-trunk' | 'no-caller-id'>
  | 'emergency'
  | 'no-sms-number'
  | 'empty'
  /** The per-minute limit (the policy's callsPerMinute, calls and texts together): checked at the edge. */
  | 'calls-per-minute';

export type OutboundMessageVerdict =
  | {
      readonly kind: 'local';
      readonly from: string;
      readonly recipient: MessageRecipient;
      readonly because: string;
    }
  | {
      readonly kind: 'sms';
      readonly from: string;
      /** The extension's own number: an owned, SMS-capable number. */
      readonly sender: string;
      readonly to: string;
      /** Whose per-minute limit the edge checks (callsPerMinute counts texts too). */
      readonly policy: OutboundPolicy;
      readonly because: string;
    }
  | {
      readonly kind: 'refused';
      readonly from: string;
      readonly reason: MessageRefusal;
      readonly to: string | undefined;
      readonly because: string;
    };

function planExtensions(plan: Plan): string[] {
  const people: string[] = [];
  for (const step of plan) {
    if (step.type === 'extension') people.push(step.extension);
    else if (step.type === 'ring-group' || step.type === 'hunt') people.push(...step.extensions);
  }
  // A plan that only takes messages (voicemail) texts the mailbox's owner.
  if (people.length === 0) for (const step of plan) if (step.type === 'voicemail') people.push(step.mailbox);
  return [...new Set(people)];
}

export function recipientOf(snapshot: RoutingSnapshot, number: string): MessageRecipient | undefined {
  const extension = snapshot.extensions.get(number);
  if (!extension) return undefined;
  return {
    extension: extension.number,
    endpoints: endpointsOf(extension),
    mobile: snapshot.config.messaging.forwardToMobile ? extension.mobile : undefined,
  };
}

function targetsOf(messaging: MessagingConfig, did: string): readonly string[] | undefined {
  return messaging.targets.find((target) => target.did === did)?.extensions;
}

/** Which extensions' phones a text from `from` to `did` reaches, and why. */
export function decideInboundMessage(
  snapshot: RoutingSnapshot,
  facts: { readonly did: string; readonly from: string },
): InboundMessageVerdict {
  const did = toE164(facts.did, snapshot.config.settings.defaultCountry);
  if (!did) return { kind: 'unknown-did', did: undefined, because: `${facts.did} is not a phone number` };
  const recipients = (numbers: readonly string[]) =>
    numbers.flatMap((number) => recipientOf(snapshot, number) ?? []);
  const listed = targetsOf(snapshot.config.messaging, did);
  if (listed)
    return {
      kind: 'deliver',
      did,
      recipients: recipients(listed),
      source: { kind: 'targets' },
      because: `messaging.targets sends texts to ${did} to ${listed.join(', ')}`,
    };
  const { route } = chooseRoute(snapshot, { did, caller: facts.from });
  const numbers = route ? planExtensions(route.plans.open) : [];
  if (!route || numbers.length === 0)
    return {
      kind: 'unknown-did',
      did,
      because: route
        ? `route ${route.id} takes ${did} but its open plan names no extension, and messaging.targets does not list it`
        : `no messaging target and no route takes ${did}`,
    };
  return {
    kind: 'deliver',
    did,
    recipients: recipients(numbers),
    source: { kind: 'route', routeId: route.id },
    because: `route ${route.id} takes ${did}: texts go to its open plan's extensions ${numbers.join(', ')}`,
  };
}

const REFUSAL_TEXT: Record<MessageRefusal, string> = {
  'unknown-extension': 'your extension is not in the routing document',
  'not-a-number': 'that is not a phone number',
  'internal-only': 'your extension may only text other extensions',
  'blocked-prefix': 'that number is blocked by your outbound policy',
  'not-national': 'your outbound policy allows national numbers only',
  'country-not-allowed': 'your outbound policy does not allow that country',
  emergency: 'emergency numbers cannot be texted: call them',
  'no-sms-number': 'your extension has no number that can send texts',
  empty: 'the message was empty',
  'calls-per-minute': 'your extension has reached its limit of calls and texts per minute, try again shortly',
};

/** What the phone is told when its text is refused (sent back as a MESSAGE). */
export function refusalText(reason: MessageRefusal, to: string | undefined): string {
  return `Not sent${to ? ` to ${to}` : ''}: ${REFUSAL_TEXT[reason]}.`;
}

function refused(from: string, reason: MessageRefusal, to: string | undefined): OutboundMessageVerdict {
  return { kind: 'refused', from, reason, to, because: refusalText(reason, to) };
}

/** The number an extension texts from: its own caller ID, if owned and SMS-capable. */
export function smsSenderOf(snapshot: RoutingSnapshot, extension: string): string | undefined {
  const own = snapshot.extensions.get(extension)?.outboundCallerId;
  const { outbound, messaging } = snapshot.config;
  return own && outbound.ownedNumbers.includes(own) && messaging.smsNumbers.includes(own) ? own : undefined;
}

/**
 * A text from extension `from` (the endpoint's extension, never the MESSAGE's From header) to what
 * the phone addressed (`to`: an extension, or a number as dialled, outside prefix and all).
 */
export function decideOutboundMessage(
  snapshot: RoutingSnapshot,
  facts: { readonly from: string; readonly to: string; readonly bodyBytes: number },
): OutboundMessageVerdict {
  const { from, to } = facts;
  if (facts.bodyBytes === 0) return refused(from, 'empty', undefined);
  const { emergencyNumbers, outsidePrefix } = snapshot.config.outbound;
  const digits = to.replace(/[\s().-]/g, '');
  // Checked first: a call to 911 is allowed whatever the policy, a text never.
  if (emergencyNumbers.some((number) => digits === number || digits === `${outsidePrefix}${number}`))
    return refused(from, 'emergency', digits);
  const verdict = classifyOutbound(snapshot, from, to);
  if (verdict.kind === 'internal') {
    const recipient = recipientOf(snapshot, verdict.extension);
    if (recipient)
      return {
        kind: 'local',
        from,
        recipient,
        because: `${verdict.extension} is an extension: delivered locally`,
      };
    return refused(from, 'unknown-extension', to);
  }
  // Trunks and a call's caller ID do not apply to texts: a call denied only for those passed every
  // policy check; the sender is checked below instead.
  if (verdict.kind === 'denied' && verdict.reason !== 'no-trunk' && verdict.reason !== 'no-caller-id')
    return refused(from, verdict.reason, verdict.number);
  const number = verdict.number;
  const policy = policyFor(snapshot, from);
  if (!number || !policy) return refused(from, 'not-a-number', number);
  const sender = smsSenderOf(snapshot, from);
  if (!sender) return refused(from, 'no-sms-number', number);
  return {
    kind: 'sms',
    from,
    sender,
    to: number,
    policy,
    because: `policy ${policy.id} allows ${number}; sent from ${from}'s number ${sender}`,
  };
}

export type MessageExplanation = (InboundMessageVerdict | OutboundMessageVerdict) & {
  readonly version: number;
};

/** The explain of a text, either way, with the version that decided it. */
export function explainMessage(
  snapshot: RoutingSnapshot,
  facts:
    | { readonly direction: 'inbound'; readonly did: string; readonly from: string }
    | { readonly direction: 'outbound'; readonly extension: string; readonly to: string },
): MessageExplanation {
  const verdict =
    facts.direction === 'inbound'
      ? decideInboundMessage(snapshot, facts)
      : decideOutboundMessage(snapshot, { from: facts.extension, to: facts.to, bodyBytes: 1 });
  return { version: snapshot.version, ...verdict };
}
