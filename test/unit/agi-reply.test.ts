import { describe, expect, it } from 'vitest';
import { AgiProtocolError } from '../../agi-server/src/agi/errors.js';
import { type AgiReply, ReplyAccumulator } from '../../agi-server/src/agi/reply.js';

function parse(...lines: string[]): Array<AgiReply | undefined> {
  const accumulator = new ReplyAccumulator();
  return lines.map((line) => accumulator.push(line));
}

describe('AGI reply parser (forms captured from Asterisk 22.10)', () => {
  it('reads 200 result=1 (value) with the value', () => {
    expect(parse('200 result=1 (PJSIP/100)')[0]).toMatchObject({ code: 200, result: '1', data: 'PJSIP/100' });
  });

  it('reads 200 result=0 (variable not set) with no data', () => {
    expect(parse('200 result=0')[0]).toMatchObject({ code: 200, result: '0', data: undefined, extra: {} });
  });

  it('reads negative results', () => {
    expect(parse('200 result=-1')[0]).toMatchObject({ result: '-1' });
    expect(parse('200 result=-2')[0]).toMatchObject({ result: '-2' });
  });

  it('keeps values with spaces, colons and parentheses intact', () => {
    expect(parse('200 result=1 (Sales: main (east) line)')[0]).toMatchObject({
      data: 'Sales: main (east) line',
    });
    expect(parse('200 result=1 (a) b)')[0]).toMatchObject({ data: 'a) b' });
    expect(parse('200 result=1 ()')[0]).toMatchObject({ data: '' });
  });

  it('separates trailing key=value pairs from the data', () => {
    expect(parse('200 result=0 endpos=8000')[0]).toMatchObject({ result: '0', extra: { endpos: '8000' } });
    expect(parse('200 result=1 (timeout) endpos=12')[0]).toMatchObject({
      data: 'timeout',
      extra: { endpos: '12' },
    });
  });

  it('reads 510 and 511 as error replies with their message', () => {
    expect(parse('510 Invalid or unknown command')[0]).toMatchObject({
      code: 510,
      message: 'Invalid or unknown command',
    });
    expect(parse('511 Command Not Permitted on a dead channel or intercept routine')[0]).toMatchObject({
      code: 511,
    });
  });

  it('reads a multi-line 520 until the line of three digits and a space', () => {
    const replies = parse(
      '520-Invalid command syntax.  Proper usage follows:',
      ' Usage: GET VARIABLE <variablename>',
      '520-not the end: a dash keeps it going',
      '520 End of proper usage.',
    );
    expect(replies.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(replies[3]).toMatchObject({
      code: 520,
      message: 'Invalid command syntax.  Proper usage follows:',
      body: ' Usage: GET VARIABLE <variablename>\n520-not the end: a dash keeps it going',
    });
  });

  it('reads a single-line 520', () => {
    expect(parse('520 Invalid command syntax.  Proper usage not available.')[0]).toMatchObject({ code: 520 });
  });

  it('refuses lines that are not replies', () => {
    expect(() => parse('hello')).toThrow(AgiProtocolError);
    expect(() => parse('200 nothing')).toThrow(AgiProtocolError);
    expect(() => parse('200 result=1 (unbalanced')).toThrow(AgiProtocolError);
  });
});
