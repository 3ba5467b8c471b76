import { describe, expect, it } from 'vitest';
import { median, percentile } from '../../agi-server/bench/stats.js';

describe('benchmark statistics', () => {
  it('takes the nearest-rank percentile of numbers sorted as numbers, not as text', () => {
    const samples = [10, 9, 100, 2, 1];
    expect(percentile(samples, 50)).toBe(9);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile(Float64Array.from([3, Number.NaN, 1, 2]), 99)).toBe(3);
  });

  it('takes the middle sample, or the mean of the two middle ones, leaving failures out', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median(Float64Array.from([5, Number.NaN, 7]))).toBe(6);
    expect(median([])).toBeNaN();
    expect(percentile([], 50)).toBeNaN();
  });
});
