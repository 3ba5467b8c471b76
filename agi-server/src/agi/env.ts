import { AgiProtocolError } from './errors.js';

/**
 * The environment block Asterisk sends when a FastAGI session opens (see docs/fastagi.md): `agi_key: value`
 * lines, then an empty line. Values may themselves contain ": " (split at the first one only) and
 * may be empty (`agi_accountcode: `). Asterisk writes the literal `unknown` for absent values.
 */

/** Script names are path-like; the query string after `?` is parsed separately. */
const SCRIPT = /^[A-Za-z0-9_.\-/]{1,128}$/;

/**
 * The keys a session cannot do without (each a non-empty string); the rest are optional strings
 * kept as sent. Checked by hand rather than with a zod object: the values are strings by
 * construction (parseEnvLine), so the whole check is "present and not empty", and a zod parse per
 * session was a measurable share of the server's CPU.
 */
const REQUIRED_KEYS = ['agi_network_script', 'agi_request', 'agi_channel', 'agi_uniqueid'] as const;

/** A session's environment block (its public fields: Environment's private ones are not part of it). */
export type AgiEnvironment = Pick<Environment, keyof Environment>;

/** Splits one env line. Returns undefined for anything that is not `agi_*: value`. */
export function parseEnvLine(line: string): [key: string, value: string] | undefined {
  const separator = keyEnd(line);
  return separator === -1 ? undefined : [line.slice(0, separator), envValue(line, separator)];
}

/**
 * Where an env line's key ends (its colon), or -1 when the line is not `agi_*: value`. The key is
 * checked character by character (KEY's rule, without a slice and a regex per line).
 */
function keyEnd(line: string): number {
  const separator = line.indexOf(':');
  if (separator <= 4 || !line.startsWith('agi_')) return -1;
  for (let index = 4; index < separator; index++) {
    const code = line.charCodeAt(index);
    // a-z, 0-9, _
    if (!((code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x5f)) return -1;
  }
  return separator;
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

function collectArgs(lines: ReadonlyMap<string, string>): string[] {
  const args: string[] = [];
  for (let index = 1; ; index++) {
    const value = lines.get(`agi_arg_${index}`);
    if (value === undefined) return args;
    args.push(value);
  }
}

/**
 * Builds the typed environment from the collected lines (key -> value, first of a key kept);
 * throws AgiProtocolError when invalid.
 */
export function buildEnvironment(lines: ReadonlyMap<string, string>): AgiEnvironment {
  const missing = REQUIRED_KEYS.filter((key) => !lines.get(key));
  if (missing.length > 0) throw new AgiProtocolError(`incomplete AGI environment (${missing.join(', ')})`);
  return new Environment(lines, parseScript(lines.get('agi_network_script') as string));
}

/**
 * A class rather than an object literal: one shape for every session, and `raw` (an object of
 * every line) is made only when something reads it; the named fields are what handlers use.
 */
class Environment {
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
  /** `agi_callingpres` as sent (Asterisk's AST_PRES_* number), undefined when absent. */
  readonly callingPres: string | undefined;
  private rawLines: Record<string, string> | undefined;

  constructor(
    private readonly lines: ReadonlyMap<string, string>,
    { script, query }: { script: string; query: Record<string, string> },
  ) {
    this.script = script;
    this.query = query;
    this.args = collectArgs(lines);
    this.request = lines.get('agi_request') as string;
    this.channel = lines.get('agi_channel') as string;
    this.uniqueId = lines.get('agi_uniqueid') as string;
    this.language = known(lines.get('agi_language'));
    this.type = known(lines.get('agi_type'));
    this.version = known(lines.get('agi_version'));
    this.callerId = known(lines.get('agi_callerid'));
    this.callerIdName = known(lines.get('agi_calleridname'));
    this.dnid = known(lines.get('agi_dnid'));
    this.rdnis = known(lines.get('agi_rdnis'));
    this.context = known(lines.get('agi_context'));
    this.extension = known(lines.get('agi_extension'));
    this.priority = known(lines.get('agi_priority'));
    this.accountCode = known(lines.get('agi_accountcode'));
    this.callingPres = lines.get('agi_callingpres');
  }

  /** Every line as sent, for fields this type does not name. */
  get raw(): Readonly<Record<string, string>> {
    if (!this.rawLines) {
      const raw = Object.create(null) as Record<string, string>;
      for (const [key, value] of this.lines) raw[key] = value;
      this.rawLines = raw;
    }
    return this.rawLines;
  }
}

/**
 * Collects env lines until the empty line. `add` returns true when the block is complete.
 * Bounded: more than `maxLines` lines is a protocol error, not an ever-growing map.
 */
export class EnvCollector {
  /** A Map, not an object: the keys are fresh strings per session, which an object must intern. */
  private readonly entries = new Map<string, string>();
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
    if (!this.entries.has(key)) {
      this.entries.set(key, envValue(line, separator));
      this.count++;
    }
    return false;
  }

  build(): AgiEnvironment {
    return buildEnvironment(this.entries);
  }
}
