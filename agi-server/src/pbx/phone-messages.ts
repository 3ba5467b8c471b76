import { ENDPOINT } from '@switchboard/contract';
import { type AmiClient, AmiError } from './ami-client.js';

/**
 * SIP MESSAGEs to phones through Asterisk (res_pjsip_messaging), over AMI: the registered contacts
 * of an endpoint come from PJSIP_DIAL_CONTACTS() (AMI Getvar evaluates the function), and each
 * contact gets its own MessageSend to `pjsip:ENDPOINT/CONTACT-URI`: a MessageSend to the endpoint
 * alone reaches one contact only while reporting success. The body travels as Base64Body, so no
 * byte of it is ever read as AMI, dialplan or shell syntax. See docs/messaging.md.
 */

/**
 * The most UTF-8 bytes one MessageSend carries: its Base64Body line (`Base64Body: ` + base64 +
 * CRLF) must fit AMI's 1,024-byte line, so 756 bytes (1,008 base64 characters); 750 leaves room.
 * Under Asterisk's 1 KiB MESSAGE body limit too.
 */
export const MAX_AMI_BODY_BYTES = 750;

/** What a phone shows as the sender: E.164 or an extension, nothing else. */
const SENDER = /^\+?[0-9]{2,15}$/;
/** A contact URI as PJSIP_DIAL_CONTACTS lists it (no spaces, quotes, angle brackets or line breaks). */
const CONTACT_URI = /^sips?:[\x21-\x7e]{1,200}$/;

export class PhoneMessages {
  constructor(
    private readonly ami: AmiClient,
    /** The host part of the From URI phones see (the PBX's own name). */
    private readonly fromHost = 'switchboard.invalid',
  ) {}

  /** The URIs of the endpoint's registered contacts; empty when none is registered. */
  async contactsOf(endpoint: string): Promise<string[]> {
    if (!ENDPOINT.test(endpoint)) throw new AmiError(`not an endpoint name: ${endpoint}`);
    const reply = await this.ami.action({ Action: 'Getvar', Variable: `PJSIP_DIAL_CONTACTS(${endpoint})` });
    if (reply.Response !== 'Success') throw new AmiError(`Getvar failed: ${reply.Message ?? ''}`);
    const prefix = `PJSIP/${endpoint}/`;
    return (reply.Value ?? '')
      .split('&')
      .filter((item) => item.startsWith(prefix))
      .map((item) => item.slice(prefix.length))
      .filter((uri) => CONTACT_URI.test(uri));
  }

  /** One MESSAGE to one contact; throws with Asterisk's reason when it is refused. */
  async send(endpoint: string, contact: string, from: string, body: string): Promise<void> {
    if (!ENDPOINT.test(endpoint) || !CONTACT_URI.test(contact)) throw new AmiError('bad destination');
    if (!SENDER.test(from)) throw new AmiError(`not a sender: ${from}`);
    const reply = await this.ami.action({
      Action: 'MessageSend',
      Destination: `pjsip:${endpoint}/${contact}`,
      From: `"${from}" <sip:${from}@${this.fromHost}>`,
      Base64Body: Buffer.from(body, 'utf8').toString('base64'),
    });
    if (reply.Response !== 'Success') throw new AmiError(`MessageSend refused: ${reply.Message ?? ''}`);
  }
}
