import { CALLER, E164 } from '@switchboard/contract';
import type { Logger } from 'pino';
import { PeriodicJob } from '../periodic-job.js';
import type { RoutingSnapshot } from '../routing/snapshot.js';
import type { SwitchboardStore } from '../store/types.js';
import {
  type CallParties,
  MAX_RECORDINGS,
  type RecentRecording,
  type TwilioAnswer,
} from '../twilio-rest/index.js';
import { type EdgeIntakeOptions, recordEdgeVoicemail } from './edge-intake.js';

/**
 * The recovery sweep for edge voicemails (docs/voicemail.md, "Recovery sweep"). The /voicemail-done
 * Function forwards each fallback recording once and Twilio never repeats that request: when
 * Switchboard could not be reached then (it often sits on the PBX's site), the forward is lost.
 * So at start and every SB_EDGE_SWEEP_MINUTES, Switchboard lists the account's recordings created
 * since its high-water mark and puts each fallback voicemail it has not on record through the same
 * intake as the forward (one message per RecordingSid, whichever comes first).
 *
 * A fallback voicemail is a recording made by TwiML's <Record> (`source` RecordVerb: the Functions
 * use <Record> only for the fallback) of an inbound call whose `To` is one of the document's
 * numbers (outbound.ownedNumbers and the routes' DIDs). Anything else is left alone.
 *
 * The high-water mark: after a sweep, its start less OVERLAP_MS (a recording appears in the list
 * after it ends, dated when it began), held back to the oldest recording still worth another look
 * (still processing, its call not fetched). At start it is derived from the store: the newest edge
 * voicemail stored before this process started, less OVERLAP_MS, never before LOOKBACK_MS ago.
 */

/** A recording is dated when it began and listed once it ended (<Record maxLength> is 120 s). */
export const OVERLAP_MS = 60 * 60_000;
/** How far back a start looks at most: an outage longer than this is not recovered. */
export const LOOKBACK_MS = 7 * 24 * 60 * 60_000;
const KNOWN_LIMIT = 10_000;

export interface TwilioRecordingsView {
  list(since: Date): Promise<TwilioAnswer<RecentRecording[]>>;
  call(callSid: string): Promise<TwilioAnswer<CallParties>>;
}

export interface EdgeSweepOptions {
  readonly store: SwitchboardStore;
  readonly snapshot: () => RoutingSnapshot;
  readonly intake: Omit<EdgeIntakeOptions, 'store' | 'snapshot'>;
  readonly twilio: TwilioRecordingsView;
  readonly accountSid: string;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** A voicemail was stored: the outbox has work. */
  readonly onStored: () => void;
}

export interface SweepReport {
  readonly listed: number;
  readonly stored: string[];
  /** RecordingSids seen and not ours: another source, or a call to a number not in the document. */
  readonly ignored: string[];
  readonly since: string;
}

/** The numbers a fallback voicemail can have been left on. */
export function documentNumbers(snapshot: RoutingSnapshot): Set<string> {
  const { config } = snapshot;
  return new Set([...config.outbound.ownedNumbers, ...config.routes.map((route) => route.did)]);
}

/** Why a listed recording is not a fallback voicemail of ours, or undefined when it is. */
export function notOurs(
  recording: Pick<RecentRecording, 'source'>,
  call: CallParties,
  numbers: ReadonlySet<string>,
): string | undefined {
  if (recording.source !== 'RecordVerb') return `made by ${recording.source || 'an unknown source'}`;
  if (call.direction !== 'inbound') return `a ${call.direction || 'unknown'} call`;
  if (!E164.test(call.to) || !numbers.has(call.to)) return `a call to ${call.to}, not one of our numbers`;
  return undefined;
}

export class EdgeSweep {
  private mark: Date | undefined;
  /** Looked at and not ours (RecordingSid → when created): not fetched again while in the window. */
  private readonly ignored = new Map<string, number>();
  private readonly job = new PeriodicJob(
    () => this.sweep(),
    (error) => this.options.logger.warn({ err: error }, 'edge voicemail sweep failed'),
    'drop',
  );
  private readonly startedAt: Date;

  constructor(private readonly options: EdgeSweepOptions) {
    this.startedAt = options.clock();
  }

  /** Sweeps now, then every `everyMs`; a tick while a sweep runs is dropped. */
  start(everyMs: number): void {
    this.job.start(everyMs);
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  private async startMark(now: Date): Promise<Date> {
    const floor = now.getTime() - LOOKBACK_MS;
    const stored = await this.options.store.listMessages({
      direction: 'voicemail',
      since: new Date(floor).toISOString(),
      until: this.startedAt.toISOString(),
      limit: KNOWN_LIMIT,
    });
    const newest = stored
      .filter((message) => message.voicemail?.origin === 'edge')
      .reduce((latest, message) => Math.max(latest, Date.parse(message.at)), Number.NEGATIVE_INFINITY);
    return new Date(Math.max(floor, newest - OVERLAP_MS));
  }

  /** One sweep; the report says what it did (also logged). */
  async sweep(): Promise<SweepReport> {
    const { store, twilio, logger } = this.options;
    const now = this.options.clock();
    const since = this.mark ?? (await this.startMark(now));
    const listed = await twilio.list(since);
    if (listed.kind === 'failed') {
      logger.warn(
        { since: since.toISOString(), reason: listed.reason },
        'edge voicemail sweep: Twilio not listed',
      );
      return { listed: 0, stored: [], ignored: [], since: since.toISOString() };
    }
    if (listed.value.length >= MAX_RECORDINGS)
      logger.warn(
        { since: since.toISOString(), max: MAX_RECORDINGS },
        'edge voicemail sweep: Twilio listed the most one sweep reads; older recordings since the mark were not looked at',
      );
    const known = new Set(
      (
        await store.listMessages({ direction: 'voicemail', since: since.toISOString(), limit: KNOWN_LIMIT })
      ).map((message) => message.sid),
    );
    const snapshot = this.options.snapshot();
    const numbers = documentNumbers(snapshot);
    let hold = now.getTime() - OVERLAP_MS;
    const later = (recording: RecentRecording) => {
      hold = Math.min(hold, recording.dateCreated.getTime());
    };
    const stored: string[] = [];
    const ignored: string[] = [];
    const ignore = (recording: RecentRecording, why: string) => {
      this.ignored.set(recording.sid, recording.dateCreated.getTime());
      ignored.push(recording.sid);
      logger.debug({ recordingSid: recording.sid, why }, 'edge voicemail sweep: not a fallback voicemail');
    };
    for (const recording of listed.value) {
      if (known.has(recording.sid) || this.ignored.has(recording.sid)) continue;
      if (recording.source !== 'RecordVerb') {
        ignore(recording, `made by ${recording.source}`);
        continue;
      }
      if (recording.status !== 'completed') {
        // processing/in-progress/paused: not there yet, look again; absent/failed/deleted: no audio.
        if (['processing', 'in-progress', 'paused'].includes(recording.status)) later(recording);
        else ignore(recording, `status ${recording.status}`);
        continue;
      }
      const call = await twilio.call(recording.callSid);
      if (call.kind === 'failed') {
        if (call.final) ignore(recording, `its call: ${call.reason}`);
        else later(recording);
        continue;
      }
      const why = notOurs(recording, call.value, numbers);
      if (why) {
        ignore(recording, why);
        continue;
      }
      try {
        const outcome = await recordEdgeVoicemail(
          { store, snapshot, ...this.options.intake },
          {
            recordingSid: recording.sid,
            callSid: recording.callSid,
            accountSid: this.options.accountSid,
            from: CALLER.test(call.value.from) ? call.value.from : 'anonymous',
            to: call.value.to,
            durationSeconds: recording.durationSeconds,
          },
          recording.dateCreated,
          'sweep',
        );
        if (outcome === 'stored') {
          stored.push(recording.sid);
          logger.info(
            {
              event: 'voicemail-received',
              origin: 'edge',
              via: 'sweep',
              recordingSid: recording.sid,
              callSid: recording.callSid,
            },
            'edge voicemail recovered by the sweep (its forward never arrived)',
          );
        }
      } catch (error) {
        later(recording);
        logger.warn(
          { err: error, recordingSid: recording.sid },
          'edge voicemail sweep: not stored, next sweep tries again',
        );
      }
    }
    this.mark = new Date(hold);
    for (const [sid, created] of this.ignored) if (created < hold) this.ignored.delete(sid);
    if (stored.length > 0) this.options.onStored();
    logger.info(
      {
        since: since.toISOString(),
        listed: listed.value.length,
        stored: stored.length,
        ignored: ignored.length,
      },
      'edge voicemail sweep',
    );
    return { listed: listed.value.length, stored, ignored, since: since.toISOString() };
  }
}
