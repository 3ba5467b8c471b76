import { AgiArgumentError } from './errors.js';

/**
 * Encoding values for the AGI wire. Asterisk's res_agi splits a command line into words on
 * blanks; a double quote opens/closes a quoted word and a backslash makes the next character
 * literal. A newline (or NUL) would end the command early, so such values are refused outright.
 */

const FORBIDDEN = /[\r\n\0]/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,79}$/;
const FUNCTION_EXPRESSION = /^[A-Za-z_][A-Za-z0-9_]*\([^\r\n\0]*\)$/;
const APPLICATION_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** What a quoted AGI word escapes; the test (no /g) decides whether a copy is needed at all. */
const QUOTED_SPECIAL = /[\\"]/;
const QUOTED_SPECIALS = /[\\"]/g;
/** What an application argument escapes (see escapeApplicationValue). */
const APPLICATION_SPECIAL = /[\\,()[\]"]/;
const APPLICATION_SPECIALS = /[\\,()[\]"]/g;
/** APPLICATION_SPECIAL and FORBIDDEN in one class: a value without any needs no further look. */
const APPLICATION_SPECIAL_OR_FORBIDDEN = /[\\,()[\]"\r\n\0]/;

export function assertWireSafe(value: string, what: string): void {
  if (FORBIDDEN.test(value)) throw new AgiArgumentError(`${what} contains CR, LF or NUL`);
}

/** One AGI word, always quoted so that empty values and blanks survive. */
export function quoteArgument(value: string): string {
  assertWireSafe(value, 'AGI argument');
  return quoteWireSafe(value);
}

/**
 * quoteArgument for a value already known to hold no CR, LF or NUL (msetData's output: every value
 * in it was checked), without scanning it for them again.
 */
export function quoteWireSafe(value: string): string {
  return `"${QUOTED_SPECIAL.test(value) ? value.replace(QUOTED_SPECIALS, '\\$&') : value}"`;
}

export function assertVariableName(name: string): void {
  if (!VARIABLE_NAME.test(name))
    throw new AgiArgumentError(`invalid channel variable name ${JSON.stringify(name)}`);
}

/** A variable name, or a dialplan function call such as `PJSIP_HEADER(read,X-SB-Did)`. */
export function assertVariableOrFunction(name: string): void {
  if (!VARIABLE_NAME.test(name) && !FUNCTION_EXPRESSION.test(name)) {
    throw new AgiArgumentError(`invalid variable or function ${JSON.stringify(name)}`);
  }
}

export function assertApplicationName(name: string): void {
  if (!APPLICATION_NAME.test(name))
    throw new AgiArgumentError(`invalid application name ${JSON.stringify(name)}`);
}

/**
 * Escapes one value for a dialplan application's argument list (ast_app_separate_args with
 * remove_chars): a backslash makes the next character literal, and ( ) [ ] " would otherwise
 * group or unquote text so that a later comma no longer separates arguments.
 */
export function escapeApplicationValue(value: string): string {
  // One scan for the usual value (nothing to escape, nothing forbidden); the rest look closer.
  if (!APPLICATION_SPECIAL_OR_FORBIDDEN.test(value)) return value;
  assertWireSafe(value, 'application argument');
  return APPLICATION_SPECIAL.test(value) ? value.replace(APPLICATION_SPECIALS, '\\$&') : value;
}

/** The data of `MSet(NAME=value,…)`: every value escaped, so commas inside values stay values. */
export function msetData(variables: Iterable<readonly [string, string]>): string {
  let data = '';
  for (const [name, value] of variables) {
    checkedName(name);
    data += `${data === '' ? '' : ','}${name}=${value === '' ? '' : escapeApplicationValue(value)}`;
  }
  return data;
}

/**
 * Names that passed assertVariableName: the handlers send the same few names on every call, and
 * a Set lookup is cheaper than the pattern. Bounded: emptied if code ever sends many names.
 */
const validNames = new Set<string>();

function checkedName(name: string): void {
  if (validNames.has(name)) return;
  assertVariableName(name);
  if (validNames.size >= 1_024) validNames.clear();
  validNames.add(name);
}
