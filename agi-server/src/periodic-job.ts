/**
 * A job run now, then every interval, and whenever poked, never twice at once: the outbox's lanes,
 * the voicemail spool scan and the edge voicemail sweep. A poke while it runs asks for one run
 * more right after it (`whileRunning: 'again'`: work may have arrived meanwhile), or is dropped
 * (`'drop'`: the next tick is soon enough). A run that throws is reported, and the next tick or
 * poke tries again.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
    private readonly whileRunning: 'again' | 'drop' = 'again',
  ) {}

  /** Runs now, then every `everyMs` (the timer does not keep the process alive). */
  start(everyMs: number): void {
    this.timer ??= setInterval(() => this.poke(), everyMs);
    this.timer.unref();
    this.poke();
  }

  /** No more ticks; resolves when the run under way is done. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  poke(): void {
    if (this.running) {
      if (this.whileRunning === 'again') this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Pokes, and resolves once no run is under way or asked for. */
  async runUntilIdle(): Promise<void> {
    this.poke();
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.run();
      } catch (error) {
        this.onError(error);
      }
    } while (this.again);
  }
}
