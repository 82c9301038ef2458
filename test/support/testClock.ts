import type { Clock } from '../../src/app/ports/clock.ts';

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(private t = new Date('2026-03-01T02:00:00Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t = new Date(this.t.getTime() + ms);
  }
}
