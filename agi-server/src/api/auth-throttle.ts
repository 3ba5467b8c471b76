/**
 * Slows down guessing of admin tokens: each source address may present `maxFailures` wrong (or
 * missing) tokens per window; after that it is answered 429 until its window ends, without its
 * token being checked, so a guess made while blocked learns nothing. A right token starts the
 * count again (see `succeed`). Memory is bounded: at most `maxSources` addresses are tracked; when full,
 * windows already over are forgotten first, then the oldest.
 *
 * Written here rather than with @fastify/rate-limit: that plugin counts every request of a route,
 * and this counts only refused tokens, before the store is asked, for every protected route.
 */

export interface AuthThrottleOptions {
  /** Wrong tokens a source may present per window before it is refused with 429. */
  readonly maxFailures: number;
  readonly windowMs: number;
  /** How many source addresses are tracked at most. */
  readonly maxSources: number;
}

interface Window {
  failures: number;
  readonly endsAt: number;
}

export interface FailureVerdict {
  /** Wrong tokens from this source in its current window, this one included. */
  readonly failures: number;
  /** True for the failure that used up the allowance (log it once, not every refusal after). */
  readonly nowBlocked: boolean;
}

export class AuthThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: AuthThrottleOptions) {}

  /** Milliseconds until `source` may try again; 0 when it is not blocked. */
  blockedFor(source: string, now: number): number {
    const window = this.windows.get(source);
    if (!window || window.endsAt <= now) return 0;
    return window.failures >= this.options.maxFailures ? window.endsAt - now : 0;
  }

  /** Counts one wrong token from `source`. */
  fail(source: string, now: number): FailureVerdict {
    let window = this.windows.get(source);
    if (!window || window.endsAt <= now) {
      if (window) this.windows.delete(source);
      this.makeRoom(now);
      window = { failures: 0, endsAt: now + this.options.windowMs };
      this.windows.set(source, window);
    }
    window.failures++;
    return { failures: window.failures, nowBlocked: window.failures === this.options.maxFailures };
  }

  /**
   * A right token from `source`: its count starts again, so an operator's own mistyped tokens
   * (or many sessions behind one address) do not add up to a block while they keep working.
   * A source already blocked is not checked, so this never lifts a block early.
   */
  succeed(source: string): void {
    if (this.windows.size > 0) this.windows.delete(source);
  }

  /** Sources tracked now (bounded by maxSources). */
  get size(): number {
    return this.windows.size;
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.options.maxSources) return;
    for (const [source, window] of this.windows) if (window.endsAt <= now) this.windows.delete(source);
    // Still full: forget the oldest windows (a Map iterates in insertion order).
    for (const source of this.windows.keys()) {
      if (this.windows.size < this.options.maxSources) break;
      this.windows.delete(source);
    }
  }
}
