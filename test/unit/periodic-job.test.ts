import { describe, expect, it } from 'vitest';
import { PeriodicJob } from '../../agi-server/src/periodic-job.js';

/** A run that waits until the test lets it finish. */
function gatedRuns() {
  const gates: Array<() => void> = [];
  return {
    gates,
    run: () =>
      new Promise<void>((resolve) => {
        gates.push(resolve);
      }),
  };
}

describe('a periodic job', () => {
  it('never runs twice at once; a poke during a run asks for exactly one more', async () => {
    const { gates, run } = gatedRuns();
    const job = new PeriodicJob(run, () => undefined);
    job.poke();
    job.poke();
    job.poke();
    expect(gates).toHaveLength(1);
    gates[0]?.();
    await expect.poll(() => gates.length).toBe(2);
    gates[1]?.();
    // Nothing was asked during the second run: it is the last.
    await job.stop();
    expect(gates).toHaveLength(2);
  });

  it("drops a poke during a run when told to ('drop'), and reports a failing run without stopping", async () => {
    const { gates, run } = gatedRuns();
    const errors: unknown[] = [];
    let fail = true;
    const job = new PeriodicJob(
      async () => {
        if (fail) {
          fail = false;
          throw new Error('store away');
        }
        await run();
      },
      (error) => errors.push(error),
      'drop',
    );
    await job.runUntilIdle();
    expect(errors).toHaveLength(1);
    job.poke();
    job.poke();
    gates[0]?.();
    await job.stop();
    expect(gates).toHaveLength(1);
  });
});
