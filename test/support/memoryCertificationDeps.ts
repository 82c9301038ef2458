import { createHash } from 'node:crypto';
import type { CertificationDeps } from '../../src/app/certification/deps.ts';
import type { AdminRecord } from '../../src/app/ports/certification.ts';
import type { MediaContent, MediaSource, MediaStore, StoredMedia } from '../../src/app/ports/media.ts';
import type { Scheduler } from '../../src/app/ports/scheduler.ts';
import type { DeliveryResult, Sender } from '../../src/app/ports/sender.ts';
import type { WorkerRecord } from '../../src/app/ports/workerRepository.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { content, makeIdNumber } from './engineHarness.ts';
import { createMemoryCertificationStores } from './memoryCertificationStores.ts';
import { createMemoryOrganizationRepository } from './memoryOrganizationRepository.ts';
import { createMemoryWorkerRepository } from './memoryWorkerRepository.ts';
import { sampleProfile } from './registrationScript.ts';
import { TestClock } from './testClock.ts';

/**
 * Everything the certification use cases need, in memory, for unit tests of src/app: the real policies, regions
 * and templates of the repository, the in-memory stores (which pass the Mongo stores' contracts), and a sender,
 * scheduler and media platform that record what they were asked to do.
 */

export interface Push {
  channel: string;
  userId: string;
  text: string;
}

export interface ScheduledJob {
  kind: 'at' | 'now' | 'every';
  name: string;
  key?: string;
  when?: Date;
  data?: Record<string, unknown>;
}

/** A sender that keeps every push; `fail` makes the next pushes fail (as a blocked user would). */
export function recordingSender() {
  const pushes: Push[] = [];
  const state = { fail: null as DeliveryResult | null };
  const sender: Sender = {
    async send(channel, userId, messages) {
      if (state.fail) return state.fail;
      for (const m of messages) pushes.push({ channel, userId, text: m.text });
      return { ok: true };
    },
  };
  return { sender, pushes, state };
}

/** A scheduler that runs nothing and remembers what was scheduled. */
export function recordingScheduler(): { scheduler: Scheduler; jobs: ScheduledJob[] } {
  const jobs: ScheduledJob[] = [];
  const scheduler: Scheduler = {
    define: () => undefined,
    every: async (name, interval, data) => void jobs.push({ kind: 'every', name, key: interval, ...(data ? { data } : {}) }),
    scheduleAt: async (name, when, key, data) => void jobs.push({ kind: 'at', name, when, key, ...(data ? { data } : {}) }),
    cancel: async () => 0,
    now: async (name, key, data) => void jobs.push({ kind: 'now', name, key, ...(data ? { data } : {}) }),
    start: async () => undefined,
    stop: async () => undefined,
    isReady: () => true,
    catchUp: async () => undefined,
  };
  return { scheduler, jobs };
}

/** Kept copies of pictures in a map; a second put of a reference keeps the first, as the Mongo store does. */
export function createMemoryMediaStore(): MediaStore {
  const byRef = new Map<string, StoredMedia>();
  return {
    async get(ref) {
      const m = byRef.get(ref);
      return m ? { ...m, bytes: Buffer.from(m.bytes) } : null;
    },
    async put(media) {
      if (byRef.has(media.ref)) return;
      byRef.set(media.ref, { ...media, bytes: Buffer.from(media.bytes), size: media.bytes.length, sha256: createHash('sha256').update(media.bytes).digest('hex') });
    },
  };
}

/** A platform that has the pictures in `photos` and nothing else. */
export function mediaPlatform(photos: Record<string, MediaContent> = {}): MediaSource & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    async fetch(ref) {
      fetched.push(ref);
      const photo = photos[ref];
      if (!photo) throw new Error(`the platform has no ${ref}`);
      return photo;
    },
  };
}

export function memoryCertificationDeps(opts: { clock?: TestClock; photos?: Record<string, MediaContent> } = {}) {
  const c = content();
  const clock = opts.clock ?? new TestClock();
  const { sender, pushes, state: senderState } = recordingSender();
  const { scheduler, jobs } = recordingScheduler();
  const platform = mediaPlatform(opts.photos);
  const deps: CertificationDeps = {
    policies: c.policies,
    regions: c.regions,
    workers: createMemoryWorkerRepository(),
    organizations: createMemoryOrganizationRepository(),
    ...createMemoryCertificationStores(),
    sender,
    media: createMemoryMediaStore(),
    mediaSource: platform,
    scheduler,
    clock,
    translator: c.translator,
    logger: createLogger('silent'),
    publicBaseUrl: 'https://bot.example.org',
  };
  let workerSeq = 0;
  return {
    deps,
    clock,
    pushes,
    senderState,
    jobs,
    platform,
    /** The action context of a user talking now, as handleInbound gives it. */
    ctx: (userId: string, locale = 'zh-CN') => ({ channel: 'sim', userId, locale, now: clock.now() }),
    /** Registers the sample worker (Nanjing, 玄武区 unless `over` says otherwise) on the sim channel. */
    async worker(userId: string, over: Record<string, unknown> = {}): Promise<WorkerRecord> {
      const idNumber = makeIdNumber('320102', '19850312', String(100 + workerSeq++));
      const created = await deps.workers.create('sim', userId, sampleProfile(idNumber, over), clock.now());
      if (created.status !== 'created') throw new Error(`sample worker ${userId} not created: ${created.status}`);
      return created.worker;
    },
  };
}

export type MemoryCertification = ReturnType<typeof memoryCertificationDeps>;

/** An admin record (not stored) of a region, all levels unless given. */
export function adminOf(regionCode: string, name = `${regionCode} 两新工委`, levels: string[] = []): AdminRecord {
  return { id: `adm${regionCode}`, name, regionCode, levels, createdAt: '2026-01-01T00:00:00.000Z', disabled: false };
}
