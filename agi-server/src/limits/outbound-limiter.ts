import type { OutboundPolicy } from '../routing/outbound-model.js';

export type Admission = 'ok' | 'calls-per-minute' | 'concurrent';

/**
 * Per-extension outbound limits: calls started in the last minute and calls in progress.
 * `OutboundLimiter` counts in this process (one server); the PostgreSQL store's limiter counts
 * across every server sharing the database (store/pg-outbound-limiter.ts implements this
 * interface and falls back to `OutboundLimiter`). This module sits below handlers/ and store/ so
 * both can import it without the store reaching up into the handlers (docs/architecture.md).
 */
export interface OutboundLimits {
  /** Admits the call (and counts it) or says which limit it would break. */
  admit(extension: string, linkedId: string, policy: OutboundPolicy, now: number): Promise<Admission>;
  /** The call is over (hangup report): it no longer counts as in progress. */
  release(linkedId: string): void;
  /** Calls this server admitted that are still in progress. */
  inProgress(extension: string): number;
  close(): Promise<void>;
}

/**
 * The limits counted in this process: each AGI server counts the calls it admitted; a call is
 * released by the hangup handler, or after `maxCallMs` if that report never comes.
 */
export class OutboundLimiter implements OutboundLimits {
  private readonly active = new Map<string, { extension: string; since: number }>();
  private readonly started = new Map<string, number[]>();

  constructor(private readonly maxCallMs = 4 * 60 * 60 * 1000) {}

  async admit(extension: string, linkedId: string, policy: OutboundPolicy, now: number): Promise<Admission> {
    return this.admitNow(extension, linkedId, policy, now);
  }

  admitNow(extension: string, linkedId: string, policy: OutboundPolicy, now: number): Admission {
    this.expire(now);
    const recent = (this.started.get(extension) ?? []).filter((at) => now - at < 60_000);
    this.started.set(extension, recent);
    if (recent.length >= policy.callsPerMinute) return 'calls-per-minute';
    if (this.inProgress(extension) >= policy.maxConcurrent) return 'concurrent';
    this.track(extension, linkedId, now);
    return 'ok';
  }

  /** Counts a call admitted elsewhere (by the shared limiter), so a fallback still knows it. */
  track(extension: string, linkedId: string, now: number): void {
    const recent = this.started.get(extension) ?? [];
    recent.push(now);
    this.started.set(extension, recent);
    this.active.set(linkedId, { extension, since: now });
  }

  release(linkedId: string): void {
    this.active.delete(linkedId);
  }

  inProgress(extension: string): number {
    let count = 0;
    for (const call of this.active.values()) if (call.extension === extension) count++;
    return count;
  }

  /** The calls still in progress here, after forgetting those older than the longest call. */
  activeCalls(now: number): string[] {
    this.expire(now);
    return [...this.active.keys()];
  }

  async close(): Promise<void> {}

  private expire(now: number): void {
    for (const [linkedId, call] of this.active)
      if (now - call.since > this.maxCallMs) this.active.delete(linkedId);
  }
}
