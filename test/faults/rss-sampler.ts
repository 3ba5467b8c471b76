/** Resident memory of this process over a run (the server under test runs in it). */
export class RssSampler {
  private readonly baseline = process.memoryUsage().rss;
  private max = this.baseline;

  sample(): void {
    this.max = Math.max(this.max, process.memoryUsage().rss);
  }

  get maxMiB(): number {
    return Math.round(this.max / 1048576);
  }

  get growthMiB(): number {
    return Math.round((this.max - this.baseline) / 1048576);
  }
}
