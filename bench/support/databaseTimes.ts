import { performance } from 'node:perf_hooks';
import { MongoClient, type CommandStartedEvent, type CommandSucceededEvent, type CommandFailedEvent } from 'mongodb';
import { histogramPercentile } from './quarterOctaves.ts';
import { fmt, ms, percentile, row, sortNum } from './report.ts';

/**
 * Two views of the same database commands over one run: the round trip as the app's driver sees it (command
 * written → reply parsed, its command events, timed here with performance.now()) and the time the embedded server
 * itself spent on each (`{embeddedCommandTimes: 1}`, a histogram the server keeps; see CommandTimes.java). When the
 * server answers in tenths of a millisecond and the app waits milliseconds, the wait is the app's: its event loop
 * reads the reply late, or the processes share too few cores. The driver client must be created with
 * `monitorCommands: true` (connectMongo's option).
 */
export class DatabaseTimes {
  private readonly startedAt = new Map<number, number>();
  private roundTrips: number[] = [];
  private serverBefore: ServerTimes | null = null;
  private readonly onStarted = (e: CommandStartedEvent) => void this.startedAt.set(e.requestId, performance.now());
  private readonly onEnded = (e: CommandSucceededEvent | CommandFailedEvent) => {
    const at = this.startedAt.get(e.requestId);
    if (at === undefined) return;
    this.startedAt.delete(e.requestId);
    this.roundTrips.push(performance.now() - at);
  };

  private constructor(
    private readonly app: MongoClient,
    private readonly server: MongoClient,
  ) {
    app.on('commandStarted', this.onStarted);
    app.on('commandSucceeded', this.onEnded);
    app.on('commandFailed', this.onEnded);
  }

  /** `app`: the app's own driver client; `serverUri`: the embedded server (this opens a client of its own to ask it). */
  static async watch(app: MongoClient, serverUri: string): Promise<DatabaseTimes> {
    // Its monitor's heartbeats would be counted by the server among the run's commands: one an hour is none.
    const server = await new MongoClient(serverUri, { maxPoolSize: 1, heartbeatFrequencyMS: 3_600_000, serverMonitoringMode: 'poll' }).connect();
    return new DatabaseTimes(app, server);
  }

  async start(): Promise<void> {
    this.startedAt.clear();
    this.roundTrips = [];
    this.serverBefore = await this.serverTimes();
  }

  async stop(messages: number): Promise<DatabaseTimesOfRun> {
    const after = await this.serverTimes();
    const before = this.serverBefore ?? { commands: 0, totalMicros: 0, quarterOctaveMicros: [] };
    const counts = after.quarterOctaveMicros.map((c, i) => c - (before.quarterOctaveMicros[i] ?? 0));
    const served = after.commands - before.commands;
    const trips = sortNum(this.roundTrips);
    return {
      messages,
      roundTrips: { count: trips.length, p50: percentile(trips, 50), p99: percentile(trips, 99) },
      server: { count: served, meanMs: served ? (after.totalMicros - before.totalMicros) / served / 1000 : NaN, p50: histogramPercentile(counts, 50), p99: histogramPercentile(counts, 99) },
    };
  }

  async close(): Promise<void> {
    this.app.off('commandStarted', this.onStarted);
    this.app.off('commandSucceeded', this.onEnded);
    this.app.off('commandFailed', this.onEnded);
    await this.server.close();
  }

  private async serverTimes(): Promise<ServerTimes> {
    const r = await this.server.db('admin').command({ embeddedCommandTimes: 1 });
    return { commands: Number(r.commands), totalMicros: Number(r.totalMicros), quarterOctaveMicros: (r.quarterOctaveMicros as unknown[]).map(Number) };
  }
}

interface ServerTimes {
  commands: number;
  totalMicros: number;
  quarterOctaveMicros: number[];
}

export interface DatabaseTimesOfRun {
  messages: number;
  /** As the app's driver saw them, in ms. */
  roundTrips: { count: number; p50: number; p99: number };
  /** As the server timed itself, in ms; p50/p99 are the upper bounds of their histogram buckets. */
  server: { count: number; meanMs: number; p50: number; p99: number };
}

/** Tenths of a millisecond and below in µs: the server's times are often that short. */
const fine = (n: number): string => (n < 0.1 ? `${fmt(n * 1000, 0)} µs` : ms(n));

export function printDatabaseTimes(d: DatabaseTimesOfRun): void {
  const perMessage = d.messages ? d.roundTrips.count / d.messages : NaN;
  row('database commands, as the app waited for them', `${ms(d.roundTrips.p50)} / ${ms(d.roundTrips.p99)}`, `p50 / p99 round trip, ${perMessage.toFixed(2)} per message`);
  row('  the server\'s own time on them', `≤ ${fine(d.server.p50)} / ≤ ${fine(d.server.p99)}`, `p50 / p99 by its clock (mean ${fine(d.server.meanMs)}, ${d.server.count} commands): the rest of a round trip is transport and the app's event loop`);
}
