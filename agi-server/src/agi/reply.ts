import { AgiProtocolError } from './errors.js';

/**
 * AGI replies as Asterisk 22 writes them (see docs/fastagi.md):
 *   200 result=1 (value)         200 result=0         200 result=0 endpos=8000
 *   510 Invalid or unknown command
 *   511 Command Not Permitted on a dead channel or intercept routine
 *   520-Invalid command syntax.  Proper usage follows:
 *   <usage lines>
 *   520 End of proper usage.
 * A multi-line reply runs until a line of three digits and a space.
 */

export interface AgiSuccessReply {
  readonly code: 200;
  /** The token after `result=`, e.g. "1", "0", "-1", "-2". */
  readonly result: string;
  /** The text inside the parentheses, when present (GET VARIABLE's value). */
  readonly data: string | undefined;
  /** Trailing `key=value` pairs such as `endpos=8000`. */
  readonly extra: Readonly<Record<string, string>>;
  readonly raw: string;
}

export interface AgiErrorReply {
  readonly code: number;
  /** The first line's text after the code. */
  readonly message: string;
  /** For multi-line replies, the lines between the first and the last. */
  readonly body: string | undefined;
  readonly raw: string;
}

export type AgiReply = AgiSuccessReply | AgiErrorReply;

export function isSuccess(reply: AgiReply): reply is AgiSuccessReply {
  return reply.code === 200 && 'result' in reply;
}

const STATUS_LINE = /^(\d{3})([ -])(.*)$/;
const TRAILING_PAIRS = /^(?: [A-Za-z_][A-Za-z0-9_]*=\S*)+$/;

function parsePairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const token of text.trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0) pairs[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return pairs;
}

/** Parses the part after "200 ": `result=X[ (data)][ key=value…]`. */
function parseSuccess(text: string, raw: string): AgiSuccessReply {
  const match = /^result=(\S*)(.*)$/.exec(text);
  if (!match) throw new AgiProtocolError(`200 reply without result: ${JSON.stringify(raw.slice(0, 120))}`);
  const result = match[1] ?? '';
  const rest = match[2] ?? '';
  if (!rest.startsWith(' (')) {
    return { code: 200, result, data: undefined, extra: parsePairs(rest), raw };
  }
  // The data is written raw and may itself contain parentheses: it ends at the last ")" that is
  // followed by nothing or by key=value pairs only.
  const body = rest.slice(1);
  for (let close = body.lastIndexOf(')'); close > 0; close = body.lastIndexOf(')', close - 1)) {
    const after = body.slice(close + 1);
    if (after === '' || TRAILING_PAIRS.test(after)) {
      return { code: 200, result, data: body.slice(1, close), extra: parsePairs(after), raw };
    }
  }
  throw new AgiProtocolError(`unbalanced data in reply: ${JSON.stringify(raw.slice(0, 120))}`);
}

/**
 * Accumulates reply lines; `push` returns the reply once it is complete, otherwise undefined.
 * Throws AgiProtocolError for a line that cannot start a reply.
 */
export class ReplyAccumulator {
  private multiLineCode: string | undefined;
  private lines: string[] = [];

  get inProgress(): boolean {
    return this.multiLineCode !== undefined;
  }

  push(line: string): AgiReply | undefined {
    if (this.multiLineCode !== undefined) {
      this.lines.push(line);
      const status = STATUS_LINE.exec(line);
      if (status?.[2] !== ' ') return undefined;
      return this.finishMultiLine();
    }
    const status = STATUS_LINE.exec(line);
    if (!status) throw new AgiProtocolError(`not an AGI reply: ${JSON.stringify(line.slice(0, 120))}`);
    const [, code = '', separator, text = ''] = status;
    if (separator === '-') {
      this.multiLineCode = code;
      this.lines = [line];
      return undefined;
    }
    if (code === '200') return parseSuccess(text, line);
    return { code: Number(code), message: text, body: undefined, raw: line };
  }

  private finishMultiLine(): AgiErrorReply {
    const lines = this.lines;
    const first = STATUS_LINE.exec(lines[0] ?? '');
    this.multiLineCode = undefined;
    this.lines = [];
    return {
      code: Number(first?.[1] ?? 0),
      message: first?.[3] ?? '',
      body: lines.slice(1, -1).join('\n'),
      raw: lines.join('\n'),
    };
  }
}
