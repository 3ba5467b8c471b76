import { describe, expect, it } from 'vitest';
import { EnvCollector, parseEnvLine } from '../../agi-server/src/agi/env.js';
import { AgiProtocolError } from '../../agi-server/src/agi/errors.js';
import { agiEnvBlock } from '../support/fake-asterisk.js';

function collect(block: string) {
  const collector = new EnvCollector();
  const lines = block.split('\n');
  for (const line of lines) {
    if (collector.add(line)) return collector.build();
  }
  throw new Error('block did not end');
}

describe('AGI environment block', () => {
  it('parses the block Asterisk 22 sends, query string and args included', () => {
    const env = collect(
      agiEnvBlock('inbound?did=%2B19863334949&callsid=CA0123&linkedid=1763900000.1&did=second', {}, [
        'first arg',
        'second: with colon',
      ]),
    );
    expect(env.script).toBe('inbound');
    expect(env.query).toEqual({ did: '+19863334949', callsid: 'CA0123', linkedid: '1763900000.1' });
    expect(env.args).toEqual(['first arg', 'second: with colon']);
    // As recorded from Asterisk 22 (test/support/asterisk-22-wire.json): AGI() runs in the sb-agi
    // Gosub, so the extension is `s`, not the DID; the DID travels in the query.
    expect(env.channel).toBe('PJSIP/twilio-00000000');
    expect(env.uniqueId).toBe('1763900000.1');
    expect(env.context).toBe('sb-agi');
    expect(env.extension).toBe('s');
    expect(env.callerId).toBe('+15551230001');
  });

  it('maps `unknown` and empty values to undefined but keeps the raw text', () => {
    const env = collect(agiEnvBlock('inbound'));
    expect(env.callerIdName).toBeUndefined();
    expect(env.rdnis).toBeUndefined();
    expect(env.accountCode).toBeUndefined();
    expect(env.raw.agi_accountcode).toBe('');
    expect(env.raw.agi_calleridname).toBe('unknown');
  });

  it('splits at the first ": " only, so values keep their colons and spaces', () => {
    expect(parseEnvLine('agi_calleridname: Sales: East Wing')).toEqual([
      'agi_calleridname',
      'Sales: East Wing',
    ]);
    expect(parseEnvLine('agi_request: agi://127.0.0.1:4573/inbound')).toEqual([
      'agi_request',
      'agi://127.0.0.1:4573/inbound',
    ]);
    expect(parseEnvLine('agi_accountcode: ')).toEqual(['agi_accountcode', '']);
    expect(parseEnvLine('agi_accountcode:')).toEqual(['agi_accountcode', '']);
  });

  it('refuses lines that are not agi_ keys, and incomplete blocks', () => {
    expect(parseEnvLine('GET / HTTP/1.1')).toBeUndefined();
    expect(parseEnvLine('Host: example')).toBeUndefined();
    expect(() => new EnvCollector().add('GET / HTTP/1.1')).toThrow(AgiProtocolError);
    expect(() => new EnvCollector().add('')).toThrow(AgiProtocolError);
    expect(() => collect('agi_network: yes\nagi_request: x\n\n')).toThrow(/incomplete AGI environment/);
  });

  it('refuses a script name with characters outside the path-like set', () => {
    expect(() => collect(agiEnvBlock('in bound'))).toThrow(AgiProtocolError);
    expect(() => collect(agiEnvBlock('x;rm'))).toThrow(AgiProtocolError);
  });

  it('bounds the number of env lines', () => {
    const collector = new EnvCollector(3);
    collector.add('agi_a: 1');
    collector.add('agi_b: 2');
    collector.add('agi_c: 3');
    expect(() => collector.add('agi_d: 4')).toThrow(/too long/);
  });
});

describe('AGI query string', () => {
  it('decodes strictly as URIENCODE() encodes: %XX only (+ is a plus), first value wins', () => {
    const env = new EnvCollector();
    const query =
      'a=%2B1%20x&b=%2B19863334949&p=+1986&a=second&c=&d&bad=%E0%A4%A&utf=%C0%80&lf=%0Aset&nul=a%00&del=%7F&=anon';
    for (const line of agiEnvBlock(`inbound?${query}`).split('\n')) {
      if (env.add(line)) break;
    }
    // Malformed escapes, non-UTF-8 bytes and control characters make a parameter absent.
    expect(env.build().query).toEqual({ a: '+1 x', b: '+19863334949', p: '+1986', c: '', d: '', '': 'anon' });
  });
});
