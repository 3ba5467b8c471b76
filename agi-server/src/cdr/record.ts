import { LINKED_ID } from '@switchboard/contract';
import { z } from 'zod';

/**
 * Asterisk's own record of each call (CDR), as asterisk-config has Asterisk write it: one JSON
 * object per line (res_cdrel_custom's `format = json`) in a file the server reads back to put on
 * record the calls it never saw and the hangup reports it lost (see docs/call-log.md). The field
 * list is defined here once: the renderer writes it into cdr_custom.conf and the reader parses it.
 */

/** CDR user variables the dialplan sets with Set(CDR(name)=…), each value URIENCODE()d. */
export const CDR_USER_VARIABLES = [
  /** The dialled DID (from-twilio) or the digits dialled (from-internal). */
  'sbdid',
  /** The caller's number (from-twilio) or the calling endpoint (from-internal). */
  'sbcaller',
  'sbcallsid',
  /** What the hangup handler would have reported: SB_ACTION, SB_REASON, SB_STEP… */
  'sbaction',
  'sbreason',
  'sbstep',
  'sbdialstatus',
  'sbpeer',
  /** Set when the call took the static fallback: the AGISTATUS that sent it there. */
  'sbfallback',
] as const;

/** Standard CDR fields, in the record's order. Times as seconds since the epoch (`double`). */
export const CDR_FIELDS = [
  'linkedid',
  'uniqueid',
  'channel',
  'dstchannel',
  'disposition',
  'start(double)',
  'answer(double)',
  'end(double)',
] as const;

/** The file name under Asterisk's cdr-custom log folder. */
export const CDR_FILE_NAME = 'switchboard-cdr.json';

/** The `fields =` line of cdr_custom.conf. */
export function cdrFieldsLine(): string {
  return [...CDR_FIELDS, ...CDR_USER_VARIABLES.map((name) => `${name}(uservar)`)].join(', ');
}

const seconds = z.coerce.number().nonnegative();
/** Longer values are cut, not refused: a caller-supplied header must not keep a call off record. */
const text = z
  .string()
  .default('')
  .transform((value) => value.slice(0, 256));
/** A URIENCODE()d value; a malformed escape keeps the raw text rather than losing the record. */
const encoded = text.transform((value) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
});

export const cdrRecordSchema = z.object({
  linkedid: z.string().regex(LINKED_ID),
  uniqueid: z.string().regex(LINKED_ID),
  channel: text,
  dstchannel: text,
  /** ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION. */
  disposition: text,
  start: seconds,
  /** 0 when never answered. */
  answer: seconds.default(0),
  end: seconds,
  sbdid: encoded,
  sbcaller: encoded,
  sbcallsid: encoded,
  sbaction: encoded,
  sbreason: encoded,
  sbstep: encoded,
  sbdialstatus: encoded,
  sbpeer: encoded,
  sbfallback: encoded,
});

export type CdrRecord = z.infer<typeof cdrRecordSchema>;

/** One line of the file, or undefined when it is not a record of ours (logged by the caller). */
export function parseCdrLine(line: string): CdrRecord | undefined {
  if (line.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = cdrRecordSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
