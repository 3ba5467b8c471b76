import type { OutboundPolicy } from '../routing/model.js';

/**
 * Per-extension outbound limits: calls started in the last minute and calls in progress. State
 * lives in this process (each AGI server counts the calls it admitted); a call is released by the
 * hangup handler, or after `maxCallMs` if that report never comes.
 */
export class OutboundLimiter {
  private readonly active = new Map<string, { extension: string; since: number }>();
  private readonly started = new Map<string, number[]>();

  constructor(private readonly maxCallMs = 4 * 60 * 60 * 1000) {}

  /** Admits the call (and counts it) or says which limit it would break. */
  admit(
    extension: string,
    linkedId: string,
    policy: OutboundPolicy,
    now: number,
  ): 'ok' | 'calls-per-minute' | 'concurrent' {
    this.expire(now);
    const recent = (this.started.get(extension) ?? []).filter((at) => now - at < 60_000);
    this.started.set(extension, recent);
    if (recent.length >= policy.callsPerMinute) return 'calls-per-minute';
    let inProgress = 0;
    for (const call of this.active.values()) if (call.extension === extension) inProgress++;
    if (inProgress >= policy.maxConcurrent) return 'concurrent';
    recent.push(now);
    this.active.set(linkedId, { extension, since: now });
    return 'ok';
  }

  release(linkedId: string): void {
    this.active.delete(linkedId);
  }

  inProgress(extension: string): number {
    let count = 0;
    for (const call of this.active.values()) if (call.extension === extension) count++;
    return count;
  }

  private expire(now: number): void {
    for (const [linkedId, call] of this.active)
      if (now - call.since > this.maxCallMs) this.active.delete(linkedId);
  }
}
