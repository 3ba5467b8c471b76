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
 *
 * Each input is a zod schema and the same rule compiled to a plain test (one regular expression
 * or one set lookup), built from the same pattern or list: a call reads several of them, and
 * zod's parse per value was a measurable share of the server's CPU. test/unit/agi-inputs.test.ts
 * checks that both always agree.
 */
export interface AgiInput<T> {
  readonly schema: z.ZodType<T, string>;
  /** The parsed value, or undefined when the text does not pass. */
  readonly parse: (raw: string) => T | undefined;
}

function matching(pattern: RegExp): AgiInput<string> {
  return { schema: z.string().regex(pattern), parse: (raw) => (pattern.test(raw) ? raw : undefined) };
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T): AgiInput<T[number]> {
  const allowed = new Set<string>(values);
  return {
    schema: z.enum(values) as unknown as z.ZodType<T[number], string>,
    parse: (raw) => (allowed.has(raw) ? (raw as T[number]) : undefined),
  };
}

/** Decimal digits as a number (the pattern admits digits only). */
function count(pattern: RegExp): AgiInput<number> {
  return {
    schema: z.string().regex(pattern).transform(Number),
    parse: (raw) => (pattern.test(raw) ? Number(raw) : undefined),
  };
}

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

/** Digits as dialled on a phone (outbound `${EXTEN}`): optional +, digits, * and #. */
const dialled = matching(DIALLED);

export const agiInput = {
  /** The Request-URI's number as Asterisk has it in ${EXTEN}: E.164 or national digits. */
  did: matching(/^\+?\d{3,17}$/),
  callSid: matching(CALL_SID),
  accountSid: matching(ACCOUNT_SID),
  linkedId: matching(LINKED_ID),
  route: matching(LOGGED_ROUTE_ID),
  plan: oneOf(['open', 'closed', 'holiday']),
  step: count(/^\d{1,4}$/),
  dialStatus: oneOf(DIAL_STATUSES),
  /** ${DIALEDPEERNAME}: `PJSIP/<endpoint>-<8 hex digits>`. */
  peer: matching(/^PJSIP\/[A-Za-z0-9_.-]{1,64}-[0-9a-f]{8}$/),
  answeredMs: count(/^\d{1,10}$/),
  action: oneOf(['dial', 'voicemail', 'hangup', 'menu']),
  reason: oneOf(['unknown-did', 'rejected', 'blocked', 'plan-end', 'answered', 'not-advanced', 'denied']),
  endpoint: matching(ENDPOINT),
  dialled,
  extension: matching(EXTENSION),
  number: dialled,
  /** What a menu's Read() collected: keypad digits, at most an extension number's length. */
  digits: matching(/^[0-9*#]{1,6}$/),
  /** ${READSTATUS} after Read() (Asterisk 22 app_read.c). */
  readStatus: oneOf(['OK', 'TIMEOUT', 'HANGUP', 'ERROR', 'INTERRUPTED', 'SKIPPED']),
  /**
   * A text's body as [sb-text] hands it over: BASE64_ENCODE()d (Asterisk keeps at most 1,023
   * bytes of a MESSAGE body, 1,364 base64 characters; the bound leaves room).
   */
  textBody: matching(/^(?:[A-Za-z0-9+/]{4}){0,1024}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/),
} as const;

/** One query value through its check: the parsed value, or undefined if absent or invalid. */
export function queryValue<T>(
  query: Readonly<Record<string, string>>,
  name: string,
  input: AgiInput<T>,
): T | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  return input.parse(raw);
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
