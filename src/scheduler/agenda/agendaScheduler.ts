/**
 * Scheduler port on agenda 6 + @agendajs/mongo-backend, running on the app's
 * own MongoDB connection (the `Db` from mongoose's `connection.db` or from a
 * MongoClient): nothing here opens or closes a connection.
 *
 * Storage layout (collection `jobs` by default), one agenda job document each:
 *   - every():      agenda's own `type: 'single'` job, `data = { payload }`;
 *   - scheduleAt(): a `type: 'normal'` job, `data = { key, rev, payload }`,
 *                   written with agenda's `unique({ 'data.key': key })` upsert.
 * A unique index on `{ name, 'data.key' }` makes "never two jobs for one
 * name+key" (and one recurring job per name) hold even for concurrent writers
 * on several instances; an upsert that loses that race is retried, and then
 * updates the winner's document.
 *
 * `rev` is a fresh id per scheduleAt() call. Agenda writes a job's state at
 * the start and the end of a run by `_id` only, so a run in progress would
 * overwrite a reschedule made meanwhile (typically a handler rescheduling its
 * own key: the end-of-run write would set nextRunAt back to null). The
 * repository below also matches `data.rev` for keyed jobs: a superseded run
 * neither starts nor clobbers the newer schedule.
 *
 * A keyed one-off job that succeeded is deleted afterwards (failed ones stay,
 * with agenda's failReason/failedAt, until rescheduled or cancelled).
 */
import { Agenda, type AgendaBackend, type Job, type JobParameters, type JobRepositoryOptions } from 'agenda';
import { MongoJobRepository } from '@agendajs/mongo-backend';
import { ObjectId, type Db } from 'mongodb';
import { systemClock, type Clock } from '../../app/ports/clock.ts';
import type { JobDefinition, Scheduler } from '../../app/ports/scheduler.ts';

export interface SchedulerLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface AgendaSchedulerOptions {
  /** The app's database; the scheduler shares its connection. */
  db: Db;
  /** Job collection; default 'jobs'. */
  collection?: string;
  /**
   * How often to look for due jobs: '5 seconds' (agenda's default), '100 milliseconds' in tests.
   * Jobs due before the next look are locked and then started on time by a local timer.
   */
  processEvery?: string;
  logger?: SchedulerLogger;
  /**
   * The app's clock: handlers get its time, and scheduleAt() takes times on it. Agenda itself runs on the system
   * clock (it has no clock option), so a time on the app's clock is stored shifted by the difference between the
   * two at that moment; catchUp() keeps stored jobs in step when the app's clock is moved. Default: system clock.
   */
  clock?: Clock;
}

/** What the adapter stores in an agenda job's `data`. */
interface StoredJobData {
  /** scheduleAt()/now() key; absent on every() jobs. */
  key?: string;
  /** Changes on every scheduleAt() of the key; see the file comment. */
  rev?: string;
  payload?: Record<string, unknown>;
}

const DEFAULT_COLLECTION = 'jobs';
const UNIQUE_INDEX_NAME = 'scheduler_name_key_unique';
const DUPLICATE_KEY = 11000;
const SAVE_ATTEMPTS = 3;
const STOP_POLL_MS = 20;
const CATCH_UP_POLL_MS = 50;
const CATCH_UP_TIMEOUT_MS = 60_000;

const silentLogger: SchedulerLogger = { info() {}, warn() {}, error() {} };

/** A job's stored data does not match its definition's schema: the run fails, naming the job. */
class JobDataError extends Error {
  override name = 'JobDataError';
}

/** Thrown by the repository when a run belongs to a schedule that was replaced since it was locked. */
class SupersededJobError extends Error {
  override name = 'SupersededJobError';
}

/**
 * MongoJobRepository whose run-state writes for keyed jobs only apply to the
 * schedule revision they were locked under. The `$set` mirrors
 * MongoJobRepository.saveJobState of @agendajs/mongo-backend 4.0.3 (pinned),
 * plus the `data.rev` condition.
 */
class RevisionGuardedJobRepository extends MongoJobRepository {
  override async saveJobState(job: JobParameters, options: JobRepositoryOptions | undefined): Promise<void> {
    const rev = storedData(job.data).rev;
    if (rev === undefined || !job._id) {
      return super.saveJobState(job, options);
    }
    const $set = {
      lockedAt: job.lockedAt ? new Date(job.lockedAt) : null,
      nextRunAt: job.nextRunAt ? new Date(job.nextRunAt) : null,
      lastRunAt: job.lastRunAt ? new Date(job.lastRunAt) : null,
      progress: job.progress ?? null,
      failReason: job.failReason ?? null,
      failCount: job.failCount ?? null,
      failedAt: job.failedAt ? new Date(job.failedAt) : null,
      lastFinishedAt: job.lastFinishedAt ? new Date(job.lastFinishedAt) : null,
      lastModifiedBy: options?.lastModifiedBy ?? null,
    };
    const result = await this.documents().updateOne(
      { _id: new ObjectId(String(job._id)), name: job.name, 'data.rev': rev },
      { $set },
    );
    if (result.matchedCount !== 1) {
      throw new SupersededJobError(
        `job '${job.name}' key '${String(storedData(job.data).key)}' was rescheduled or cancelled; this run is dropped`,
      );
    }
  }

  /**
   * Set from the start of stop() until the next start(). Agenda's stop() releases the jobs its processor holds,
   * but a lock query already sent is not among them: the job it locks would stay locked, for its lock lifetime,
   * by an instance that never runs it, and no other instance could take it meanwhile. Such a lock is released
   * here as soon as its query answers.
   */
  stopping = false;
  private readonly scans = new Set<Promise<unknown>>();

  override getNextJobToRun(...args: Parameters<MongoJobRepository['getNextJobToRun']>): Promise<JobParameters | undefined> {
    const scan = this.lockUnlessStopping(args);
    this.scans.add(scan);
    const forget = () => void this.scans.delete(scan);
    scan.then(forget, forget);
    return scan;
  }

  /** Resolves once every lock query under way has answered (and released what it locked while stopping). */
  async scansSettled(): Promise<void> {
    await Promise.allSettled([...this.scans]);
  }

  private async lockUnlessStopping(args: Parameters<MongoJobRepository['getNextJobToRun']>): Promise<JobParameters | undefined> {
    if (this.stopping) return undefined;
    const job = await super.getNextJobToRun(...args);
    if (!job || !this.stopping) return job;
    await this.releaseLock(job);
    return undefined;
  }

  /** Unlocks a job this instance locked, only if that lock (its lock time) is still the job's: never another's. */
  async releaseLock(job: Pick<JobParameters, '_id' | 'lockedAt'>): Promise<void> {
    if (!job._id || !job.lockedAt) return;
    await this.documents().updateOne({ _id: new ObjectId(String(job._id)), lockedAt: new Date(job.lockedAt) }, { $unset: { lockedAt: true } });
  }

  /** The job collection, typed by the backend's (unexported) document type. Valid after connect(). */
  documents(): MongoJobRepository['collection'] {
    return this.collection;
  }
}

export function createAgendaScheduler(opts: AgendaSchedulerOptions): Scheduler {
  const log = opts.logger ?? silentLogger;
  const collectionName = opts.collection ?? DEFAULT_COLLECTION;
  const processEvery = opts.processEvery !== undefined ? toAgendaInterval(opts.processEvery) : undefined;
  const repository = new RevisionGuardedJobRepository({
    mongo: opts.db,
    db: { collection: collectionName },
    ensureIndex: true,
  });

  const clock = opts.clock ?? systemClock;
  // Definitions of different data types share the map; each is only ever called with data its own schema parsed.
  const definitions = new Map<string, JobDefinition<unknown>>();
  let agenda: Agenda | undefined;
  let agendaPromise: Promise<Agenda> | undefined;
  let ready = false;
  let starting: Promise<void> | undefined;
  /** Handlers currently executing (fallback count for stop(), see runningCount). */
  let handlersInFlight = 0;
  const succeeded = new WeakSet<object>();
  const pendingCleanups = new Set<Promise<void>>();

  function register(target: Agenda, name: string): void {
    const def = definitions.get(name);
    if (!def) return;
    const { options } = def;
    // One parameter: agenda treats two-parameter processors as callback style.
    const processor = async (job: Job<StoredJobData>): Promise<void> => {
      handlersInFlight += 1;
      try {
        const stored = storedData(job.attrs.data);
        const parsed = def.data.safeParse(stored.payload ?? {});
        if (!parsed.success) {
          const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
          throw new JobDataError(`job '${name}'${stored.key !== undefined ? ` key '${stored.key}'` : ''}: its data does not match the job's definition (${issues})`);
        }
        await def.handler(parsed.data, { now: clock.now() });
      } finally {
        handlersInFlight -= 1;
      }
    };
    target.define(name, processor, {
      ...(options?.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options?.lockLifetimeMs !== undefined ? { lockLifetime: options.lockLifetimeMs } : {}),
    });
  }

  function listen(target: Agenda): void {
    target.on('fail', (err: unknown, job: Job) => {
      log.error(
        { err, job: job.attrs.name, key: storedData(job.attrs.data).key, failCount: job.attrs.failCount },
        'scheduled job failed',
      );
    });
    target.on('error', (err: Error) => {
      if (err instanceof SupersededJobError) {
        log.info({ reason: err.message }, 'scheduled job run skipped: superseded');
        return;
      }
      log.error({ err }, 'scheduler error');
    });
    target.on('success', (job: Job) => {
      succeeded.add(job);
    });
    target.on('complete', (job: Job) => {
      if (!succeeded.has(job)) return;
      succeeded.delete(job);
      const { rev } = storedData(job.attrs.data);
      if (rev === undefined || job.attrs.nextRunAt || !job.attrs._id) return;
      // Only this revision, and only if nothing rescheduled or re-locked it since.
      const cleanup = repository
        .documents()
        .deleteOne({ _id: new ObjectId(String(job.attrs._id)), 'data.rev': rev, nextRunAt: null, lockedAt: null })
        .then(
          () => undefined,
          (err: unknown) => log.warn({ err, job: job.attrs.name }, 'could not remove completed job'),
        );
      pendingCleanups.add(cleanup);
      void cleanup.finally(() => pendingCleanups.delete(cleanup));
    });
  }

  /** Connects (indexes) and builds the Agenda instance once; a failed attempt is retried on the next call. */
  function getAgenda(): Promise<Agenda> {
    agendaPromise ??= (async () => {
      await repository.connect(); // takes opts.db as is; creates agenda's findAndLockNextJobIndex
      await repository
        .documents()
        .createIndex({ name: 1, 'data.key': 1 }, { unique: true, name: UNIQUE_INDEX_NAME });
      const backend: AgendaBackend = {
        name: 'MongoDB',
        repository,
        ownsConnection: false,
        // Already connected above. Agenda calls connect() from its constructor without
        // handling a rejection, so connecting there would turn a DB error into an
        // unhandled rejection; done here, it rejects getAgenda() instead.
        connect: async () => {},
        disconnect: async () => {},
      };
      const created = new Agenda({
        backend,
        ...(processEvery !== undefined ? { processEvery } : {}),
      });
      listen(created);
      for (const name of definitions.keys()) register(created, name);
      agenda = created;
      return created;
    })();
    agendaPromise.catch(() => {
      agendaPromise = undefined;
    });
    return agendaPromise;
  }

  /** Jobs agenda is running: its processor's own list when reachable, else the handlers we are inside. */
  function runningCount(processor: ProcessorInternals | undefined): number {
    return Array.isArray(processor?.runningJobs) ? processor.runningJobs.length : handlersInFlight;
  }

  /** A time on the app's clock as agenda's (system) time, by the clocks' difference now; see `clock` above. */
  function toAgendaTime(when: Date): Date {
    return new Date(when.getTime() - (clock.now().getTime() - Date.now()));
  }

  async function scheduleAt(name: string, when: Date, key: string, data?: Record<string, unknown>): Promise<void> {
    assertName(name);
    assertKey(key);
    if (!(when instanceof Date) || Number.isNaN(when.getTime())) {
      throw new TypeError(`scheduleAt('${name}'): 'when' must be a valid Date`);
    }
    const a = await getAgenda();
    const stored: StoredJobData = { key, rev: new ObjectId().toHexString(), payload: data ?? {} };
    const job = a.create(name, stored).schedule(toAgendaTime(when)).unique({ 'data.key': key });
    // Upsert on { name, 'data.key' }: replaces data and nextRunAt and clears any lock/failure.
    await retryOnDuplicateKey(() => job.save());
  }

  return {
    define(job) {
      assertName(job.name);
      definitions.set(job.name, job as JobDefinition<unknown>);
      if (agenda) register(agenda, job.name);
    },

    async every(name, interval, data) {
      assertName(name);
      const repeat = toAgendaInterval(interval);
      const a = await getAgenda();
      // agenda.every() stores an unparseable interval as a failed job that never runs; refuse it here.
      const probe = a.create(name).repeatEvery(repeat);
      if (probe.attrs.failReason || !probe.attrs.nextRunAt) {
        throw new Error(`invalid interval '${interval}' for job '${name}': ${probe.attrs.failReason ?? 'no next run'}`);
      }
      const stored: StoredJobData = { payload: data ?? {} };
      // agenda.every() upserts the one `type: 'single'` job of this name (data and interval updated,
      // a due nextRunAt kept).
      await retryOnDuplicateKey(() => a.every(repeat, name, stored));
    },

    scheduleAt,

    async cancel(name, key) {
      assertName(name);
      assertKey(key);
      const a = await getAgenda();
      // Becomes deleteMany({ name, 'data.key': key }).
      return a.cancel({ name, data: { key } });
    },

    async now(name, key, data) {
      await scheduleAt(name, clock.now(), key, data);
    },

    async catchUp(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('catchUp: ms must be a finite number ≥ 0');
      const a = await getAgenda();
      const jobs = repository.documents();
      // Stored times are the app's times minus the clocks' difference, which just grew by `ms`: bring every
      // waiting job `ms` earlier (a job being run keeps its lock and reschedules itself from its run).
      for (const doc of await jobs.find({ nextRunAt: { $ne: null }, lockedAt: null }, { projection: { nextRunAt: 1 } }).toArray()) {
        const at = doc.nextRunAt as Date;
        await jobs.updateOne({ _id: doc._id, nextRunAt: at, lockedAt: null }, { $set: { nextRunAt: new Date(at.getTime() - ms) } });
      }
      const cutoff = new Date();
      const due = await jobs.find({ name: { $in: [...definitions.keys()] }, nextRunAt: { $ne: null, $lte: cutoff } }, { projection: { _id: 1 } }).toArray();
      // A due job has run once it is gone (done), or unlocked with no run due by the cutoff (failed, or recurring).
      const waiting = { _id: { $in: due.map((d) => d._id) }, $or: [{ lockedAt: { $ne: null } }, { nextRunAt: { $ne: null, $lte: cutoff } }] };
      const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
      // Agenda looks for due jobs every processEvery; ask its processor to look now (private, checked at run time).
      const processor = processorOf(a) as (ProcessorInternals & { process?: unknown }) | undefined;
      if (typeof processor?.process === 'function') await (processor.process as () => Promise<void>).call(processor);
      while ((await jobs.countDocuments(waiting)) > 0) {
        if (Date.now() > deadline) {
          log.warn({ timeoutMs: CATCH_UP_TIMEOUT_MS }, 'jobs due after the clock moved are still waiting or running');
          return;
        }
        await sleep(CATCH_UP_POLL_MS);
      }
      await Promise.all([...pendingCleanups]);
    },

    start() {
      starting ??= (async () => {
        const a = await getAgenda();
        if (ready && a.isActiveJobProcessor()) return;
        repository.stopping = false;
        await a.start();
        ready = true;
        log.info({ collection: collectionName, jobs: [...definitions.keys()] }, 'scheduler started');
      })().finally(() => {
        starting = undefined;
      });
      return starting;
    },

    async stop(timeoutMs) {
      // Before anything else: a lock query answering from now on gives its job back (see the repository).
      repository.stopping = true;
      // A start() under way finishes first, so it cannot leave a processor running after stop().
      await starting?.catch(() => {});
      repository.stopping = true;
      ready = false;
      const a = agenda;
      if (!a || !a.isActiveJobProcessor()) return;
      const deadline = Date.now() + Math.max(0, timeoutMs);
      // agenda.stop() drops its processor reference; keep it to watch the jobs still running.
      const processor = processorOf(a);
      // Stops polling and starting jobs; releases jobs locked but not started. Running jobs keep
      // their locks until they finish (or the lock lifetime passes and another instance takes them).
      await withinDeadline(
        a.stop(false).catch((err: unknown) => log.warn({ err }, 'agenda stop failed')),
        deadline,
      );
      while (runningCount(processor) > 0 && Date.now() < deadline) {
        await sleep(Math.min(STOP_POLL_MS, Math.max(1, deadline - Date.now())));
      }
      await withinDeadline(repository.scansSettled(), deadline);
      // A scan that answered just before stop() began can hand its job to the processor just after agenda's
      // stop() listed what to release; the stopped processor never runs it, so it is released here.
      await withinDeadline(Promise.all(lockedButIdle(processor).map((job) => repository.releaseLock(job))), deadline);
      const stillRunning = runningCount(processor);
      if (stillRunning > 0) {
        log.warn({ running: stillRunning, timeoutMs }, 'scheduler stopped with jobs still running; their locks will expire');
        return;
      }
      await withinDeadline(Promise.all([...pendingCleanups]), deadline);
      log.info({}, 'scheduler stopped');
    },

    isReady() {
      return ready;
    },
  };
}

/** The part of agenda's (private) JobProcessor that stop() reads; checked at run time. */
interface ProcessorInternals {
  runningJobs?: unknown;
  lockedJobs?: unknown;
}

/** Jobs the processor holds locked but is not running (agenda's Job objects: their attrs). */
function lockedButIdle(processor: ProcessorInternals | undefined): Pick<JobParameters, '_id' | 'lockedAt'>[] {
  const attrsOf = (jobs: unknown) =>
    (Array.isArray(jobs) ? jobs : []).map((job: { attrs?: Pick<JobParameters, '_id' | 'lockedAt'> }) => job?.attrs).filter((attrs) => attrs?._id !== undefined);
  const running = new Set(attrsOf(processor?.runningJobs).map((attrs) => String(attrs!._id)));
  return attrsOf(processor?.lockedJobs).filter((attrs) => !running.has(String(attrs!._id))) as Pick<JobParameters, '_id' | 'lockedAt'>[];
}

function processorOf(a: Agenda): ProcessorInternals | undefined {
  // Agenda declares jobProcessor private (and untyped): index access is TypeScript's sanctioned way to read a
  // private member, and unlike a cast it stops compiling if agenda renames or removes it. Its shape is checked here.
  const processor: unknown = a['jobProcessor'];
  return typeof processor === 'object' && processor !== null ? (processor as ProcessorInternals) : undefined;
}

function storedData(data: unknown): StoredJobData {
  if (typeof data !== 'object' || data === null) return {};
  const d = data as Record<string, unknown>;
  const out: StoredJobData = {};
  if (typeof d.key === 'string') out.key = d.key;
  if (typeof d.rev === 'string') out.rev = d.rev;
  if (typeof d.payload === 'object' && d.payload !== null && !Array.isArray(d.payload)) {
    out.payload = d.payload as Record<string, unknown>;
  }
  return out;
}

/** An upsert racing another for the same unique key can fail with E11000; the retry finds and updates the winner. */
async function retryOnDuplicateKey<T>(save: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await save();
    } catch (err) {
      if (attempt >= SAVE_ATTEMPTS || (err as { code?: unknown } | null)?.code !== DUPLICATE_KEY) throw err;
    }
  }
}

/**
 * Agenda reads interval strings with human-interval 2, which has no millisecond unit:
 * '100 milliseconds' matches its 'second' and means 100 s. Millisecond intervals are
 * therefore handed over as numbers (agenda takes a number as milliseconds); other
 * strings ('5 seconds', '1 hour', cron expressions) go through unchanged.
 */
function toAgendaInterval(interval: string): string | number {
  const ms = /^\s*(\d+(?:\.\d+)?)\s*(?:ms|msecs?|millis|milliseconds?)\s*$/i.exec(interval);
  if (ms) return Number(ms[1]);
  if (/millis|\dms\b|\bms\b/i.test(interval)) {
    throw new Error(`interval '${interval}': write milliseconds alone ('250 milliseconds') or in seconds ('1.25 seconds')`);
  }
  return interval;
}

function assertName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('job name must be a non-empty string');
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('job key must be a non-empty string');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits for `p` until `deadline` at most; a later rejection of `p` is ignored. */
async function withinDeadline(p: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const guarded = p.then(
    () => undefined,
    () => undefined,
  );
  await Promise.race([
    guarded,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearTimeout(timer);
}
