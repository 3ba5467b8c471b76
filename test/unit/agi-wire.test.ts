import { describe, expect, it } from 'vitest';
import { AgiArgumentError } from '../../agi-server/src/agi/errors.js';
import { escapeApplicationValue, msetData, quoteArgument } from '../../agi-server/src/agi/wire.js';

/** res_agi's parse_args, re-stated from its rules (quotes group, backslash escapes) to check our quoting. */
function agiParseArgs(line: string): string[] {
  const words: string[] = [];
  let current: string | undefined;
  let quoted = false;
  let escaped = false;
  for (const char of line) {
    if (escaped) {
      current = (current ?? '') + char;
      escaped = false;
    } else if (char === '\\') {
      escaped = true;
    } else if (char === '"') {
      quoted = !quoted;
      current ??= '';
    } else if ((char === ' ' || char === '\t') && !quoted) {
      if (current !== undefined) words.push(current);
      current = undefined;
    } else {
      current = (current ?? '') + char;
    }
  }
  if (current !== undefined) words.push(current);
  return words;
}

describe('AGI wire encoding', () => {
  it.each([
    ['plain'],
    [''],
    ['two words'],
    ['say "hi"'],
    ['back\\slash'],
    ['trailing backslash\\'],
    ['tab\there'],
  ])('quotes %j so that res_agi reads it back as one word', (value) => {
    expect(agiParseArgs(`SET VARIABLE X ${quoteArgument(value)}`)).toEqual(['SET', 'VARIABLE', 'X', value]);
  });

  it('refuses CR, LF and NUL, which would end or corrupt the command line', () => {
    expect(() => quoteArgument('a\nHANGUP')).toThrow(AgiArgumentError);
    expect(() => quoteArgument('a\rb')).toThrow(AgiArgumentError);
    expect(() => quoteArgument('a\0b')).toThrow(AgiArgumentError);
  });

  it('escapes the characters that group or split application arguments', () => {
    expect(escapeApplicationValue('a,b')).toBe('a\\,b');
    expect(escapeApplicationValue('f(x) [y] "z" \\')).toBe('f\\(x\\) \\[y\\] \\"z\\" \\\\');
  });

  it('builds MSet data with names checked and values escaped', () => {
    expect(
      msetData(
        new Map([
          ['SB_ACTION', 'dial'],
          ['SB_NOTE', 'a, b'],
        ]),
      ),
    ).toBe('SB_ACTION=dial,SB_NOTE=a\\, b');
    expect(() => msetData(new Map([['BAD NAME', 'x']]))).toThrow(AgiArgumentError);
    expect(() => msetData(new Map([['X=Y', 'x']]))).toThrow(AgiArgumentError);
  });
});
