import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_EVIDENCE_JOB, ARCHIVE_RETRY_DELAYS_MS, archiveEvidenceJob, scheduleEvidenceArchive } from '../../../src/app/certification/archiveEvidence.ts';
import { MediaGoneError, mediaSourceByScheme, UnknownMediaError, type MediaContent, type MediaSource } from '../../../src/app/ports/media.ts';
import type { Scheduler } from '../../../src/app/ports/scheduler.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoMediaStore } from '../../../src/store/mongo/mediaStore.ts';
import { TestClock } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';

/** The evidence job against the real media store, with a scripted platform and a recording scheduler. */
let connection: Connection;
beforeAll(async () => {
  connection = await connectMongo(testDbUri('archive_evidence'));
});
afterAll(async () => {
  await connection?.db?.dropDatabase();
  await connection?.close();
});

const JPEG: MediaContent = { contentType: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) };

/** A platform that answers each reference with the next scripted outcome (an Error is thrown). */
function scriptedSource(script: Record<string, (MediaContent | Error)[]>): MediaSource & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    async fetch(ref) {
      fetched.push(ref);
      const next = script[ref]?.shift();
      if (!next) throw new Error(`unscripted fetch of ${ref}`);
      if (next instanceof Error) throw next;
      return next;
    },
  };
}

function recordingScheduler() {
  const scheduled: { kind: 'now' | 'at'; name: string; key: string; when?: Date; data?: Record<string, unknown> }[] = [];
  const scheduler: Pick<Scheduler, 'now' | 'scheduleAt'> = {
    now: async (name, key, data) => void scheduled.push({ kind: 'now', name, key, ...(data ? { data } : {}) }),
    scheduleAt: async (name, when, key, data) => void scheduled.push({ kind: 'at', name, key, when, ...(data ? { data } : {}) }),
  };
  return { scheduler: scheduler as Scheduler, scheduled };
}

function setup(script: Record<string, (MediaContent | Error)[]>) {
  const clock = new TestClock();
  const media = createMongoMediaStore(connection, createPiiCipher(Buffer.alloc(32, 9)));
  const source = scriptedSource(script);
  const { scheduler, scheduled } = recordingScheduler();
  const definition = archiveEvidenceJob({ media, mediaSource: source, clock, scheduler, logger: createLogger('silent') });
  // As the scheduler runs it: the data parsed by the definition's schema first.
  const job = async (data: Record<string, unknown>) => definition.handler(definition.data.parse(data), { now: clock.now() });
  return { clock, media, source, scheduled, job, definition };
}

describe('evidence photos are copied while the platform has them', () => {
  it('schedules one job per photo of a new application, now', async () => {
    const { scheduler, scheduled } = recordingScheduler();
    await scheduleEvidenceArchive({ scheduler }, ['wechat-media:A', 'telegram:B']);
    expect(scheduled).toEqual([
      { kind: 'now', name: ARCHIVE_EVIDENCE_JOB, key: 'wechat-media:A#0', data: { ref: 'wechat-media:A', attempt: 0 } },
      { kind: 'now', name: ARCHIVE_EVIDENCE_JOB, key: 'telegram:B#0', data: { ref: 'telegram:B', attempt: 0 } },
    ]);
  });

  it('keeps the photo, and a second run fetches nothing', async () => {
    const ref = 'wechat-media:ok_1';
    const t = setup({ [ref]: [JPEG] });
    await t.job({ ref, attempt: 0 });
    await t.job({ ref, attempt: 0 });
    expect((await t.media.get(ref))!.bytes.equals(JPEG.bytes)).toBe(true);
    expect(t.scheduled).toEqual([]);
  });

  it('retries a failed fetch on the next delay, under a new key, until it works', async () => {
    const ref = 'wechat-media:retry_1';
    const t = setup({ [ref]: [new Error('HTTP 502'), JPEG] });
    await t.job({ ref, attempt: 0 });
    expect(t.scheduled).toEqual([
      { kind: 'at', name: ARCHIVE_EVIDENCE_JOB, key: `${ref}#1`, when: new Date(t.clock.now().getTime() + ARCHIVE_RETRY_DELAYS_MS[0]), data: { ref, attempt: 1 } },
    ]);
    expect(await t.media.get(ref)).toBeNull();
    await t.job({ ref, attempt: 1 });
    expect(await t.media.get(ref)).not.toBeNull();
    expect(t.scheduled).toHaveLength(1);
  });

  it('gives up after the last delay, and never retries a photo that is gone or that no channel can fetch', async () => {
    const last = ARCHIVE_RETRY_DELAYS_MS.length;
    const t = setup({
      'wechat-media:giveup_last': [new Error('timeout')],
      'wechat-media:giveup_gone': [new MediaGoneError('40007 invalid media_id')],
      'nochannel:x': [new UnknownMediaError('no channel')],
    });
    await t.job({ ref: 'wechat-media:giveup_last', attempt: last });
    await t.job({ ref: 'wechat-media:giveup_gone', attempt: 0 });
    await t.job({ ref: 'nochannel:x', attempt: 0 });
    expect(t.source.fetched).toHaveLength(3);
    expect(t.scheduled).toEqual([]);
  });

  it('refuses an answer that is not a picture (retried, as a platform fault)', async () => {
    const ref = 'wechat-media:html_1';
    const t = setup({ [ref]: [{ contentType: 'text/html', bytes: Buffer.from('<html>') }] });
    await t.job({ ref, attempt: 0 });
    expect(await t.media.get(ref)).toBeNull();
    expect(t.scheduled.map((s) => s.key)).toEqual([`${ref}#1`]);
  });

  it('refuses bad data by its schema (the scheduler fails such a run before the handler) and defaults the attempt', async () => {
    const t = setup({});
    expect(t.definition.data.safeParse({ ref: 42 }).success).toBe(false);
    expect(t.definition.data.safeParse({}).success).toBe(false);
    expect(t.definition.data.parse({ ref: 'wechat-media:A' })).toEqual({ ref: 'wechat-media:A', attempt: 0 });
    await expect(t.job({ ref: 42 })).rejects.toThrow();
    expect(t.source.fetched).toEqual([]);
  });
});

describe('media references go to their channel', () => {
  it('routes by scheme and refuses references no channel knows', async () => {
    const wechat = scriptedSource({ 'wechat-media:M': [JPEG] });
    const source = mediaSourceByScheme({ 'wechat-media': wechat });
    expect(await source.fetch('wechat-media:M')).toBe(JPEG);
    await expect(source.fetch('telegram:F')).rejects.toBeInstanceOf(UnknownMediaError);
    await expect(source.fetch('no scheme')).rejects.toBeInstanceOf(UnknownMediaError);
  });

  it('regression: a reference whose scheme is an inherited name ("constructor:x") threw a TypeError instead of being unknown', async () => {
    // Schemes are lower case, so `constructor` is the one inherited name a reference can carry.
    const source = mediaSourceByScheme({ 'wechat-media': scriptedSource({}) });
    await expect(Promise.resolve().then(() => source.fetch('constructor:x'))).rejects.toBeInstanceOf(UnknownMediaError);
  });
});
