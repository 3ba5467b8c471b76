/**
 * The summary statistics every benchmark reports (`npm run bench` here, `npm run bench:lab` and
 * the lab's setup-latency test in test/lab/), defined once so their figures read alike.
 * Failed samples are NaN and are left out.
 */

function sortedSamples(values: ArrayLike<number>): Float64Array {
  // A typed array sorts numerically (a plain array's sort compares strings).
  return Float64Array.from(values)
    .filter((value) => !Number.isNaN(value))
    .sort();
}

/** The nearest-rank percentile (p in 0..100); NaN without samples. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = sortedSamples(values);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/** The middle sample, or the mean of the two middle ones; NaN without samples. */
export function median(values: ArrayLike<number>): number {
  const sorted = sortedSamples(values);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
