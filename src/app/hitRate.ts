/**
 * Whether a guess is worth making, from how often it came true lately. A turn on the remembered state costs one
 * round trip when the guess holds and three when it does not (the missed write, then the lease and the commit),
 * against two for taking the lease at once: worth it while more than half hold. Behind a load balancer that
 * spreads one chat over N instances only 1/N hold, so below half the guess is made only once in `probeEvery`
 * times, enough to notice when it pays again (fewer instances, sticky routing).
 */
export class HitRate {
  private rate = 1;
  private skipped = 0;

  constructor(
    private readonly opts: { threshold: number; weight: number; probeEvery: number } = { threshold: 0.5, weight: 1 / 32, probeEvery: 16 },
  ) {}

  shouldTry(): boolean {
    if (this.rate >= this.opts.threshold) return true;
    if (++this.skipped < this.opts.probeEvery) return false;
    this.skipped = 0;
    return true;
  }

  record(hit: boolean): void {
    this.rate += ((hit ? 1 : 0) - this.rate) * this.opts.weight;
  }
}
