/**
 * The replay cache for signed X-SB- header sets, in this process's memory: a nonce is claimed by
 * the first call (linkedid) that presents it; the same call may present it again (a retried AGI
 * request), any other call may not. Entries live until the signature's clock window has passed,
 * after which the timestamp check alone refuses the header set. Bounded: when full, entries
 * already expired go first, then the oldest (a flood of valid header sets needs the secret).
 */
export class NonceCache {
  private readonly owners = new Map<string, { owner: string; expiresAt: number }>();

  constructor(private readonly maxEntries = 200_000) {}

  claim(nonce: string, owner: string, expiresAt: number, now = Date.now()): boolean {
    const held = this.owners.get(nonce);
    if (held && held.expiresAt > now) return held.owner === owner;
    if (this.owners.size >= this.maxEntries) this.evict(now);
    this.owners.set(nonce, { owner, expiresAt });
    return true;
  }

  get size(): number {
    return this.owners.size;
  }

  private evict(now: number): void {
    for (const [nonce, held] of this.owners) if (held.expiresAt <= now) this.owners.delete(nonce);
    // Insertion order is claim order: drop the oldest tenth when nothing had expired.
    let excess = this.owners.size - Math.floor(this.maxEntries * 0.9);
    for (const nonce of this.owners.keys()) {
      if (excess-- <= 0) break;
      this.owners.delete(nonce);
    }
  }
}
