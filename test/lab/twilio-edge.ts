import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TwilioRun } from '../support/twilio-run.js';
import { TEST_ACCOUNT_SID, voiceWebhookParams } from '../support/twilio-signing.js';
import { RUN_DIR, Sipp, type SippResult } from './lab.js';

/**
 * A small Twilio edge, as Twilio's documentation and recorded traffic describe it, for what cannot
 * run here (Twilio's cloud): it posts the signed Voice webhook to the Functions (twilio-run),
 * turns a returned <Dial><Sip> into a real INVITE from 127.0.0.1 with exactly the URI's headers
 * (percent-decoded, as Twilio sends them, plus Twilio's own X-Twilio-CallSid/AccountSid), waits
 * for an answer as long as <Dial timeout> says (Twilio's default 30 s) and then CANCELs the leg as
 * Twilio does, and follows <Dial action> with DialCallStatus and DialSipResponseCode, until the
 * TwiML stops dialling.
 */

/** Twilio's default <Dial timeout>. */
const TWILIO_DEFAULT_DIAL_TIMEOUT_SECONDS = 30;
/** Logged by the scenario when the edge gave up waiting and cancelled the leg. */
const EDGE_CANCEL = 'edge-cancel';

export interface SipTarget {
  readonly user: string;
  readonly hostPort: string;
  readonly headers: Array<[string, string]>;
}

export interface EdgeStep {
  readonly twiml: string;
  readonly sip: SipTarget | undefined;
  readonly sipp: SippResult | undefined;
  readonly dialCallStatus: string | undefined;
  readonly dialSipResponseCode: string | undefined;
  /** The <Dial timeout> the edge applied to this leg. */
  readonly dialTimeoutSeconds: number | undefined;
  /** From the INVITE to the leg's end (answered and hung up, rejected, or cancelled). */
  readonly legMs: number | undefined;
}

const unescapeXml = (text: string) =>
  text.replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"');

/** `sip:+1986…@127.0.0.1:5060;transport=udp?X-SB-Did=%2B1986…&…` -> target and decoded headers. */
export function parseSipUri(uri: string): SipTarget {
  const match = /^sip:([^@]+)@([^;?]+)(;[^?]*)?(\?(.*))?$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new Error(`not a SIP URI: ${uri}`);
  // RFC 3261 URI headers: percent-encoding only ('+' is a plus, unlike form encoding).
  const headers = (match[5] ?? '')
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name = '', value = ''] = pair.split('=');
      return [decodeURIComponent(name), decodeURIComponent(value)] as [string, string];
    });
  return { user: match[1], hostPort: match[2].includes(':') ? match[2] : `${match[2]}:5060`, headers };
}

function dialOf(
  twiml: string,
): { action: string | undefined; sipUri: string | undefined; timeoutSeconds: number } | undefined {
  const dial = /<Dial([^>]*)>([\s\S]*?)<\/Dial>/.exec(twiml);
  if (!dial) return undefined;
  const action = /\baction="([^"]+)"/.exec(dial[1] ?? '')?.[1];
  const timeout = /\btimeout="(\d+)"/.exec(dial[1] ?? '')?.[1];
  const sip = /<Sip[^>]*>([^<]+)<\/Sip>/.exec(dial[2] ?? '')?.[1];
  return {
    action,
    sipUri: sip ? unescapeXml(sip) : undefined,
    timeoutSeconds: timeout ? Number(timeout) : TWILIO_DEFAULT_DIAL_TIMEOUT_SECONDS,
  };
}

/** DialCallStatus as Twilio reports a SIP leg's final answer. */
function dialStatusOf(result: SippResult): { status: string; code: string } {
  // The edge's own timeout: Twilio reports no-answer; the cancelled INVITE ended with 487, which we
  // pass on (whether Twilio fills DialSipResponseCode here is not documented; dial-outcome.ts
  // treats 487 and no code alike).
  if (result.logs.some((line) => line.includes(EDGE_CANCEL))) return { status: 'no-answer', code: '487' };
  if (result.exitCode === 0) return { status: 'completed', code: '200' };
  const code = /received 'SIP\/2\.0 (\d{3})/.exec(result.stderr)?.[1];
  if (!code) return { status: 'no-answer', code: '408' };
  if (code === '486' || code === '600') return { status: 'busy', code };
  if (code === '480' || code === '408') return { status: 'no-answer', code };
  return { status: 'failed', code };
}

export class TwilioEdge {
  constructor(
    private readonly chroot: string,
    private readonly functions: TwilioRun,
  ) {}

  /**
   * Writes an INVITE scenario carrying exactly `headers`, for SIPp in the lab chroot.
   * - The edge's wait is a wall clock of its own (a deadline noted as the INVITE goes out, checked
   *   every 200 ms), not SIPp's `recv timeout`: SIPp arms that timer only when the call next runs,
   *   and a 1xx that arrives first leaves the call waiting for ever; a jump back after each 1xx
   *   would instead restart it (Twilio's clock runs from the INVITE, whatever 180s follow).
   * - Message indexes matter: [branch-N] reuses the branch of the message N places back, and the
   *   CANCEL and the ACK of its 487 must carry the INVITE's (message 0).
   * - The far end may hang up first (a voicemail that ends): its BYE is answered.
   */
  private scenario(
    target: SipTarget,
    callSid: string,
    timeoutSeconds: number,
    durationMs: number,
    accountSid = TEST_ACCOUNT_SID,
  ): string {
    const name = `edge-${randomUUID()}`;
    const lines = [
      ...target.headers.map(([header, value]) => `      ${header}: ${value}`),
      `      X-Twilio-CallSid: ${callSid}`,
      `      X-Twilio-AccountSid: ${accountSid}`,
    ].join('\n');
    const request = (method: string, branch: string, cseq: string, toTag: string) => `
      ${method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=${branch}
      From: <sip:[caller]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>${toTag}
      Call-ID: [call_id]
      CSeq: ${cseq}
      Max-Forwards: 70
      Content-Length: 0
`;
    const template = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[caller]@[local_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port]>
      Max-Forwards: 70
${lines}
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
    <action>
      <gettimeofday assign_to="deadline,deadline_us"/>
      <multiply assign_to="deadline" value="1000"/>
      <divide assign_to="deadline_us" value="1000"/>
      <add assign_to="deadline" variable="deadline_us"/>
      <add assign_to="deadline" value="${timeoutSeconds * 1000}"/>
    </action>
  </send>
  <label id="1"/>
  <recv response="100" optional="global" timeout="200" ontimeout="2" next="2"/>
  <recv response="180" optional="global" next="2"/>
  <recv response="183" optional="global" next="2"/>
  <recv response="200"/>
  <send><![CDATA[${request('ACK', '[branch]', '1 ACK', '[peer_tag_param]')}]]></send>
  <recv request="BYE" timeout="${durationMs}" ontimeout="3"/>
  <send next="9">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <label id="3"/>
  <send retrans="500"><![CDATA[${request('BYE', '[branch]', '2 BYE', '[peer_tag_param]')}]]></send>
  <recv response="200" crlf="true" next="9"/>
  <label id="2"/>
  <nop test="expired" next="4">
    <action>
      <gettimeofday assign_to="now,now_us"/>
      <multiply assign_to="now" value="1000"/>
      <divide assign_to="now_us" value="1000"/>
      <add assign_to="now" variable="now_us"/>
      <test assign_to="expired" variable="now" compare="greater_than_equal" variable2="deadline"/>
    </action>
  </nop>
  <nop next="1"/>
  <label id="4"/>
  <send retrans="500"><![CDATA[${request('CANCEL', '[branch-12]', '1 CANCEL', '')}]]></send>
  <recv response="200"/>
  <recv response="487"/>
  <send><![CDATA[${request('ACK', '[branch-15]', '1 ACK', '[peer_tag_param]')}]]></send>
  <nop><action><log message="${EDGE_CANCEL} after ${timeoutSeconds}s"/></action></nop>
  <label id="9"/>
  <nop><action><log message="edge leg over"/></action></nop>
</scenario>
`;
    writeFileSync(join(this.chroot, RUN_DIR.slice(1), 'scenarios', `${name}.xml`), template);
    return name;
  }

  /**
   * An incoming PSTN call: runs the TwiML as Twilio would. `tamper` may alter the SIP headers
   * before the INVITE goes out (a forged INVITE).
   */
  async call(options: {
    to: string;
    from: string;
    callSid: string;
    durationMs?: number;
    tamper?: (headers: Array<[string, string]>) => Array<[string, string]>;
    /** The X-Twilio-AccountSid Twilio adds: another account's, for a call sent through it. */
    accountSid?: string;
  }): Promise<EdgeStep[]> {
    const params = voiceWebhookParams({
      To: options.to,
      Called: options.to,
      From: options.from,
      Caller: options.from,
      CallSid: options.callSid,
    });
    let response = await this.functions.post('/inbound-call', params);
    if (response.status !== 200)
      throw new Error(`inbound-call answered ${response.status}: ${response.body}`);
    const steps: EdgeStep[] = [];
    for (let hop = 0; hop < 5; hop++) {
      const dial = dialOf(response.body);
      if (!dial?.sipUri) {
        steps.push({
          twiml: response.body,
          sip: undefined,
          sipp: undefined,
          dialCallStatus: undefined,
          dialSipResponseCode: undefined,
          dialTimeoutSeconds: undefined,
          legMs: undefined,
        });
        break;
      }
      const parsed = parseSipUri(dial.sipUri);
      const target = options.tamper ? { ...parsed, headers: options.tamper(parsed.headers) } : parsed;
      const started = Date.now();
      const sipp = await new Sipp(this.chroot, {
        scenario: this.scenario(
          target,
          options.callSid,
          dial.timeoutSeconds,
          options.durationMs ?? 300,
          options.accountSid,
        ),
        address: '127.0.0.1',
        port: 5070,
        remote: target.hostPort,
        service: target.user,
        keys: { caller: options.from },
        calls: 1,
        // SIPp's own limit only guards the test; the edge's wait is the scenario's recv timeout.
        timeoutSeconds: dial.timeoutSeconds + 20,
      }).done;
      const { status, code } = dialStatusOf(sipp);
      steps.push({
        twiml: response.body,
        sip: target,
        sipp,
        dialCallStatus: status,
        dialSipResponseCode: code,
        dialTimeoutSeconds: dial.timeoutSeconds,
        legMs: Date.now() - started,
      });
      if (!dial.action) break;
      response = await this.functions.post(dial.action, {
        ...params,
        DialCallStatus: status,
        DialSipResponseCode: code,
        DialCallSid: `CA${'f'.repeat(32)}`,
      });
      if (response.status !== 200)
        throw new Error(`${dial.action} answered ${response.status}: ${response.body}`);
    }
    return steps;
  }
}
