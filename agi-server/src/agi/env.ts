import { AgiProtocolError } from './errors.js';

/**
 * The environment block Asterisk sends when a FastAGI session opens (see docs/fastagi.md): `agi_key: value`
 * lines, then an empty line. Values may themselves contain ": " (split at the first one only) and
 * may be empty (`agi_accountcode: `). Asterisk writes the literal `unknown` for absent values.
 */

const KEY = /^agi_[a-z0-9_]+$/;
/** Script names are path-like; the query string after `?` is parsed separately. */
const SCRIPT = /^[A-Za-z0-9_.\-/]{1,128}$/;

/**
 * The keys a session cannot do without (each a non-empty string); the rest are optional strings
 * kept as sent. Checked by hand rather than with a zod object: the values are strings by
 * construction (parseEnvLine), so the whole check is "present and not empty", and a zod parse per
 * session was a measurable share of the server's CPU.
 */
const REQUIRED_KEYS = ['agi_network_script', 'agi_request', 'agi_channel', 'agi_uniqueid'] as const;

export interface AgiEnvironment {
  /** Script name from `agi_network_script`, before any `?`. */
  readonly script: string;
  /** Query parameters of `agi_network_script` (first value of each name, percent-decoded). */
  readonly query: Readonly<Record<string, string>>;
  /** `agi_arg_1`…`agi_arg_N` in order. */
  readonly args: readonly string[];
  readonly request: string;
  readonly channel: string;
  readonly uniqueId: string;
  readonly language: string | undefined;
  readonly type: string | undefined;
  readonly version: string | undefined;
  /** `undefined` where Asterisk wrote `unknown` or nothing. */
  readonly callerId: string | undefined;
  readonly callerIdName: string | undefined;
  readonly dnid: string | undefined;
  readonly rdnis: string | undefined;
  readonly context: string | undefined;
  readonly extension: string | undefined;
  readonly priority: string | undefined;
  readonly accountCode: string | undefined;
  /** Every line as sent, for fields this type does not name. */
  readonly raw: Readonly<Record<string, string>>;
}

/** Splits one env line. Returns undefined for anything that is not `agi_*: value`. */
export function parseEnvLine(line: string): [key: string, value: string] | undefined {
  const separator = keyEnd(line);
  return separator === -1 ? undefined : [line.slice(0, separator), envValue(line, separator)];
}

/** Where an env line's key ends (its colon), or -1 when the line is not `agi_*: value`. */
function keyEnd(line: string): number {
  const separator = line.indexOf(':');
  return separator > 0 && KEY.test(line.slice(0, separator)) ? separator : -1;
}

/** "agi_accountcode: " has an empty value; tolerate a missing space after the colon too. */
function envValue(line: string, separator: number): string {
  return line.charCodeAt(separator + 1) === 0x20 ? line.slice(separator + 2) : line.slice(separator + 1);
}

function known(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value === 'unknown' ? undefined : value;
}

function parseScript(networkScript: string): { script: string; query: Record<string, string> } {
  const mark = networkScript.indexOf('?');
  let script = mark === -1 ? networkScript : networkScript.slice(0, mark);
  if (script.charCodeAt(0) === 0x2f) script = script.replace(/^\/+/, '');
  if (!SCRIPT.test(script)) {
    throw new AgiProtocolError(`invalid agi_network_script ${JSON.stringify(networkScript.slice(0, 80))}`);
  }
  const query: Record<string, string> = {};
  if (mark !== -1) {
    // Split by hand (URLSearchParams was a measurable share of a session): `&`-separated
    // name=value pairs, percent-decoded strictly (see decodeComponent); the first of a name wins.
    for (const pair of networkScript.slice(mark + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      if (name === undefined || name in query) continue;
      const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
      if (value !== undefined) query[name] = value;
    }
  }
  return { script, query };
}

/** C0 controls (code points below 32) and DEL: no query value may carry them, encoded or not. */
function hasControl(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Strict percent-decoding of what the dialplan's URIENCODE() produced (RFC 3986: `%XX` only, so a
 * literal `+` is a plus, never a space). A malformed escape, bytes that are not UTF-8, or a
 * control character make the value undefined: the parameter counts as absent, never as a guess.
 */
function decodeComponent(text: string): string | undefined {
  let decoded = text;
  if (text.includes('%')) {
    try {
      decoded = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  return hasControl(decoded) ? undefined : decoded;
}

function collectArgs(raw: Record<string, string>): string[] {
  const args: string[] = [];
  for (let index = 1; `agi_arg_${index}` in raw; index++) {
    args.push(raw[`agi_arg_${index}`] ?? '');
  }
  return args;
}

/** Builds the typed environment from the collected lines; throws AgiProtocolError when invalid. */
export function buildEnvironment(raw: Readonly<Record<string, string>>): AgiEnvironment {
  const missing = REQUIRED_KEYS.filter((key) => !raw[key]);
  if (missing.length > 0) throw new AgiProtocolError(`incomplete AGI environment (${missing.join(', ')})`);
  const { script, query } = parseScript(raw.agi_network_script as string);
  return {
    script,
    query,
    args: collectArgs(raw),
    request: raw.agi_request as string,
    channel: raw.agi_channel as string,
    uniqueId: raw.agi_uniqueid as string,
    language: known(raw.agi_language),
    type: known(raw.agi_type),
    version: known(raw.agi_version),
    callerId: known(raw.agi_callerid),
    callerIdName: known(raw.agi_calleridname),
    dnid: known(raw.agi_dnid),
    rdnis: known(raw.agi_rdnis),
    context: known(raw.agi_context),
    extension: known(raw.agi_extension),
    priority: known(raw.agi_priority),
    accountCode: known(raw.agi_accountcode),
    raw,
  };
}

/**
 * Collects env lines until the empty line. `add` returns true when the block is complete.
 * Bounded: more than `maxLines` lines is a protocol error, not an ever-growing map.
 */
export class EnvCollector {
  private readonly entries: Record<string, string> = Object.create(null);
  private count = 0;

  constructor(private readonly maxLines = 256) {}

  add(line: string): boolean {
    if (line === '') {
      if (this.count === 0) throw new AgiProtocolError('empty AGI environment');
      return true;
    }
    // parseEnvLine's rules, without a tuple per line (~22 lines a session).
    const separator = keyEnd(line);
    if (separator === -1)
      throw new AgiProtocolError(`not an AGI environment line: ${JSON.stringify(line.slice(0, 80))}`);
    if (this.count >= this.maxLines) throw new AgiProtocolError('AGI environment too long');
    const key = line.slice(0, separator);
    if (!(key in this.entries)) {
      this.entries[key] = envValue(line, separator);
      this.count++;
    }
    return false;
  }

  build(): AgiEnvironment {
    return buildEnvironment(this.entries);
  }
}
