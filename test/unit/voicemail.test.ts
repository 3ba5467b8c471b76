import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../agi-server/src/config.js';
import { transportOptions } from '../../agi-server/src/mail/mailer.js';
import { parseCallerId, parseMessageInfo, wavSeconds } from '../../agi-server/src/media/voicemail-spool.js';
import { routingConfigSchema } from '../../agi-server/src/routing/model.js';
import { buildSnapshot } from '../../agi-server/src/routing/snapshot.js';
import {
  callerLabel,
  emailNotice,
  localTime,
  mailboxOwner,
  noticeSender,
  noticeTimeZone,
  textNotice,
} from '../../agi-server/src/voicemail/notice.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { toneWav } from '../support/wav.js';

// Issue 18 (docs/voicemail.md): what the server reads from app_voicemail's spool, what the notice
// says, how the SMTP settings become nodemailer's options.

/** A msgNNNN.txt exactly as leave_voicemail() writes it (Asterisk 22, apps/app_voicemail.c). */
const TXT = `;
; Message Information file
;
[message]
origmailbox=100
context=sb-route
exten=s
rdnis=unknown
priority=14
callerchan=PJSIP/twilio-00000002
callerid="Ann \\"Q\\" Smith" <+15125550199>
origdate=Thu Dec  3 10:04:05 AM UTC 2026
origtime=1796292245
category=1796292233.4
msg_id=1796292245-00000001
flag=
duration=5
`;

describe('app_voicemail message files', () => {
  it('reads caller, time, duration, msg_id and the linkedid the dialplan put in VM_CATEGORY', () => {
    expect(parseMessageInfo(TXT)).toEqual({
      msgId: '1796292245-00000001',
      callerNumber: '+15125550199',
      callerName: 'Ann "Q" Smith',
      at: '2026-12-03T10:04:05.000Z',
      durationSeconds: 5,
      linkedId: '1796292233.4',
    });
  });

  it('refuses a file without a valid msg_id, and a category that is not a linkedid', () => {
    expect(parseMessageInfo(TXT.replace('msg_id=1796292245-00000001', 'msg_id=../../etc'))).toBeUndefined();
    expect(parseMessageInfo(TXT.replace(/msg_id=.*\n/, ''))).toBeUndefined();
    expect(
      parseMessageInfo(TXT.replace('category=1796292233.4', 'category=a b/c'))?.linkedId,
    ).toBeUndefined();
  });

  it('reads every form ast_callerid_merge writes', () => {
    expect(parseCallerId('"Ann" <+15125550199>')).toEqual({ name: 'Ann', number: '+15125550199' });
    expect(parseCallerId('<+15125550199>')).toEqual({ name: undefined, number: '+15125550199' });
    expect(parseCallerId('Bob <100>')).toEqual({ name: 'Bob', number: '100' });
    expect(parseCallerId('+15125550199')).toEqual({ name: undefined, number: '+15125550199' });
    expect(parseCallerId('Unknown')).toEqual({ name: undefined, number: undefined });
  });

  it('measures a WAV by its header', () => {
    const wav = toneWav(5);
    expect(wavSeconds(wav)).toBe(5);
    expect(wavSeconds(Buffer.from('not a wav'))).toBeUndefined();
  });
});

describe('the voicemail notice', () => {
  const config = routingConfigSchema.parse({
    ...officeConfig,
    extensions: [
      ...(officeConfig.extensions ?? []).map((extension) =>
        extension.number === '100' ? { ...extension, email: 'ann@pbx.test' } : extension,
      ),
      { number: '300', name: 'Shared box owner', mailbox: '399' },
    ],
  });
  const snapshot = buildSnapshot(config, 1);
  const facts = {
    mailbox: '100',
    callerNumber: '+15125550199',
    callerName: 'Ann Smith',
    did: '+19863334949',
    routeId: 'main',
    durationSeconds: 5,
    at: '2026-12-03T16:04:05.000Z',
    timeZone: noticeTimeZone(snapshot, 'main'),
    origin: 'pbx' as const,
    id: '1764777845-00000003',
  };

  it('tells the time on the route schedule clock (UTC without a schedule)', () => {
    expect(facts.timeZone).toBe('America/Chicago');
    expect(localTime(facts.at, facts.timeZone)).toBe('2026-12-03 10:04 CST');
    expect(noticeTimeZone(snapshot, undefined)).toBe('UTC');
    expect(localTime('2026-07-01T16:04:05Z', 'America/Chicago')).toBe('2026-07-01 11:04 CDT');
  });

  it('says who called, which number and route, how long and when', () => {
    const mail = emailNotice(facts);
    expect(mail.subject).toBe('Voicemail from Ann Smith (+15125550199) (5 s) at 2026-12-03 10:04 CST');
    expect(mail.text).toContain('From:     Ann Smith (+15125550199)');
    expect(mail.text).toContain('Called:   +19863334949 (route main)');
    expect(mail.text).toContain('Duration: 5 s');
    expect(textNotice(facts)).toBe(
      'Voicemail from Ann Smith (+15125550199), 5 s, 2026-12-03 10:04 CST. Mailbox 100, id 1764777845-00000003.',
    );
    expect(mail.text).toContain('Id:       1764777845-00000003');
    // A link goes after the id; without an id the text still says the mailbox.
    expect(textNotice({ ...facts, link: 'https://pbx.test/console/#/voicemail?mailbox=100' })).toBe(
      'Voicemail from Ann Smith (+15125550199), 5 s, 2026-12-03 10:04 CST. Mailbox 100, id 1764777845-00000003. https://pbx.test/console/#/voicemail?mailbox=100',
    );
    expect(textNotice({ ...facts, id: undefined })).toBe(
      'Voicemail from Ann Smith (+15125550199), 5 s, 2026-12-03 10:04 CST. Mailbox 100.',
    );
  });

  it('keeps caller text out of mail headers: no line breaks, bounded', () => {
    const hostile = emailNotice({ ...facts, callerName: 'x\r\nBcc: all@pbx.test\r\n'.repeat(20) });
    expect(hostile.subject).not.toMatch(/[\r\n]/);
    expect(hostile.subject.length).toBeLessThanOrEqual(200);
    expect(callerLabel({ callerNumber: undefined, callerName: undefined })).toBe('an unknown caller');
  });

  it('sends a text notice from the called DID when it can send SMS, else the owner number, else the first', () => {
    const texting = buildSnapshot(
      routingConfigSchema.parse({
        ...officeConfig,
        outbound: { ...officeConfig.outbound, ownedNumbers: ['+19863334949', '+19863334950'] },
        extensions: (officeConfig.extensions ?? []).map((extension) =>
          extension.number === '100' ? { ...extension, outboundCallerId: '+19863334950' } : extension,
        ),
        messaging: { smsNumbers: ['+19863334949', '+19863334950'] },
      }),
      2,
    );
    const owner = texting.extensions.get('100');
    expect(noticeSender(texting, '+19863334949', owner)).toBe('+19863334949');
    expect(noticeSender(texting, '+15125550000', owner)).toBe('+19863334950');
    expect(noticeSender(texting, undefined, undefined)).toBe('+19863334949');
    expect(noticeSender(snapshot, '+19863334949', owner)).toBeUndefined();
  });

  it('finds the mailbox owner: the extension naming the box, else the one with its number', () => {
    expect(mailboxOwner(snapshot, '100')?.email).toBe('ann@pbx.test');
    expect(mailboxOwner(snapshot, '399')?.number).toBe('300');
    expect(mailboxOwner(snapshot, '555')).toBeUndefined();
  });

  it('refuses an extension email that is not an address, at its path', () => {
    const result = routingConfigSchema.safeParse({
      ...officeConfig,
      extensions: [{ number: '100', name: 'A', email: 'not-an-address' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('extensions.0.email');
  });
});

describe('SMTP settings', () => {
  it('smtp:// requires STARTTLS and logs in with the URL user; smtps:// is TLS at once', () => {
    expect(
      transportOptions({ url: 'smtp://u%40x:p%3Aw@127.0.0.1:2525', startTls: 'required', from: 'a@b.test' }),
    ).toMatchObject({
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      requireTLS: true,
      auth: { user: 'u@x', pass: 'p:w' },
      tls: { minVersion: 'TLSv1.2' },
    });
    expect(
      transportOptions({ url: 'smtps://mail.pbx.test', startTls: 'required', from: 'a@b.test' }),
    ).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
    });
    expect(
      transportOptions({ url: 'smtp://127.0.0.1', startTls: 'optional', from: 'a@b.test' }),
    ).toMatchObject({ port: 587, requireTLS: false });
    expect(
      transportOptions({ url: 'smtp://127.0.0.1', startTls: 'optional', from: 'a@b.test' }).auth,
    ).toBeUndefined();
  });

  it('validates the settings: smtp(s) URLs only, no placeholder, an address for From', () => {
    expect(() => loadServerConfig({ SB_SMTP_URL: 'http://mail.pbx.test' })).toThrow(/SB_SMTP_URL/);
    expect(() =>
      loadServerConfig({ SB_SMTP_URL: 'smtp://user:replace-with-password@mail.pbx.test' }),
    ).toThrow(/placeholder/);
    expect(() => loadServerConfig({ SB_MAIL_FROM: 'nobody' })).toThrow(/SB_MAIL_FROM/);
    expect(loadServerConfig({ SB_SMTP_URL: 'smtps://u:p@mail.pbx.test:465' }).SB_SMTP_STARTTLS).toBe(
      'required',
    );
  });
});
