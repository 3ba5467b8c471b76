import {
  ACCOUNT_SID,
  CALL_SID,
  DIALLED,
  ENDPOINT,
  EXTENSION,
  LINKED_ID,
  LOGGED_ROUTE_ID,
} from '@switchboard/contract';
import { z } from 'zod';

/**
 * Every value the dialplan passes to an AGI script (query parameters of agi_network_script),
 * with the schema it must pass before any handler uses it. The patterns themselves are the
 * shared ones (@switchboard/contract); this module only says which applies to which parameter.
 * An invalid value is treated as absent, never passed on: see docs/dialplan-agi.md.
 */

/** Digits as dialled on a phone (outbound `${EXTEN}`): optional +, digits, * and #. */
const dialledSchema = z.string().regex(DIALLED);

/** What Dial() leaves in ${DIALSTATUS} (Asterisk 22 app_dial.c). */
export const DIAL_STATUSES = [
  'ANSWER',
  'BUSY',
  'NOANSWER',
  'CANCEL',
  'CONGESTION',
  'CHANUNAVAIL',
  'DONTCALL',
  'TORTURE',
  'INVALIDARGS',
] as const;

export const agiInput = {
  /** The Request-URI's number as Asterisk has it in ${EXTEN}: E.164 or national digits. */
  did: z.string().regex(/^\+?\d{3,17}$/),
  callSid: z.string().regex(CALL_SID),
  accountSid: z.string().regex(ACCOUNT_SID),
  linkedId: z.string().regex(LINKED_ID),
  route: z.string().regex(LOGGED_ROUTE_ID),
  plan: z.enum(['open', 'closed', 'holiday']),
  step: z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number),
  dialStatus: z.enum(DIAL_STATUSES),
  /** ${DIALEDPEERNAME}: `PJSIP/<endpoint>-<8 hex digits>`. */
  peer: z.string().regex(/^PJSIP\/[A-Za-z0-9_.-]{1,64}-[0-9a-f]{8}$/),
  answeredMs: z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number),
  action: z.enum(['dial', 'voicemail', 'hangup', 'menu']),
  reason: z.enum(['unknown-did', 'rejected', 'blocked', 'plan-end', 'answered', 'not-advanced', 'denied']),
  endpoint: z.string().regex(ENDPOINT),
  dialled: dialledSchema,
  extension: z.string().regex(EXTENSION),
  number: dialledSchema,
  /** What a menu's Read() collected: keypad digits, at most an extension number's length. */
  digits: z.string().regex(/^[0-9*#]{1,6}$/),
  /** ${READSTATUS} after Read() (Asterisk 22 app_read.c). */
  readStatus: z.enum(['OK', 'TIMEOUT', 'HANGUP', 'ERROR', 'INTERRUPTED', 'SKIPPED']),
} as const;

/** One query value through its schema: the parsed value, or undefined if absent or invalid. */
export function queryValue<S extends z.ZodType>(
  query: Readonly<Record<string, string>>,
  name: string,
  schema: S,
): z.output<S> | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * An id we do not recognise, kept as received for the record but made safe to store and show:
 * only [A-Za-z0-9._-], at most 64 characters.
 */
export function sanitisedId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const safe = raw.replace(/[^A-Za-z0-9._-]/g, '').slice(0, 64);
  return safe === '' ? undefined : safe;
}
