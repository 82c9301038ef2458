import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Connection } from 'mongoose';
import { ConversationBusyError, LeaseLostError, type ConversationStore } from '../../../src/app/ports/conversationStore.ts';
import { newConversation } from '../../../src/engine/index.ts';
import { createPiiCipher } from '../../../src/infra/piiCipher.ts';
import { connectMongo } from '../../../src/store/mongo/connection.ts';
import { createMongoConversationStore, RECENT_MESSAGES } from '../../../src/store/mongo/conversationStore.ts';
import { TEST_PII_KEY } from '../../support/appHarness.ts';
import { testDbUri } from '../../support/db.ts';

let connection: Connection;
let store: ConversationStore;
const t0 = new Date('2026-03-01T02:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const NO_REPLY = { messageId: 'm0', replies: [] };

beforeAll(async () => {
  connection = await connectMongo(testDbUri('conversation_store'));
  store = createMongoConversationStore(connection, createPiiCipher(TEST_PII_KEY));
});
afterAll(() => connection.close());

describe('Mongo conversation store', () => {
  it('gives a new user null, then returns what was committed', async () => {
    expect(await store.acquire('sim', 'a', 'o1', t0, 30_000)).toBeNull();
    const state = { ...newConversation('sim', 'a', 'zh-CN', t0), flowId: 'registration', flowVersion: 1, stepId: 'name', answers: { name: '张三' } };
    await store.commit(state, 'o1', NO_REPLY);
    const back = await store.acquire('sim', 'a', 'o2', at(1), 30_000);
    expect(back).toMatchObject({ flowId: 'registration', stepId: 'name', answers: { name: '张三' }, version: 1 });
    await store.release('sim', 'a', 'o2');
  });

  it('refuses a second lease while the first is held, and grants it after the first expires', async () => {
    await store.acquire('sim', 'b', 'o1', t0, 1000);
    await expect(store.acquire('sim', 'b', 'o2', at(500), 1000)).rejects.toBeInstanceOf(ConversationBusyError);
    await expect(store.acquire('sim', 'b', 'o2', at(1500), 1000)).resolves.toBeNull();
  });

  it('refuses a commit from a turn whose lease was taken over (LeaseLostError), keeping the newer owner', async () => {
    await store.acquire('sim', 'c', 'slow', t0, 1000);
    await store.acquire('sim', 'c', 'fast', at(2000), 1000);
    const state = newConversation('sim', 'c', 'zh-CN', t0);
    await expect(store.commit(state, 'slow', NO_REPLY)).rejects.toBeInstanceOf(LeaseLostError);
    await store.commit({ ...state, stepId: 'x' }, 'fast', NO_REPLY);
    expect(await store.acquire('sim', 'c', 'next', at(3000), 1000)).toMatchObject({ stepId: 'x', version: 1 });
  });

  it('keeps the last replies with the state, and tells whether a turn is running', async () => {
    await store.acquire('sim', 'r', 'o1', t0, 1000);
    expect(await store.lastReply('sim', 'r', at(1))).toEqual({ last: null, busy: true });
    await store.commit(newConversation('sim', 'r', 'zh-CN', t0), 'o1', { messageId: 'msg-7', replies: [{ text: '你好' }] });
    expect(await store.lastReply('sim', 'r', at(2))).toEqual({ last: { messageId: 'msg-7', replies: [{ text: '你好' }] }, busy: false });
    expect(await store.lastReply('sim', 'nobody', at(2))).toEqual({ last: null, busy: false });
  });

  it('begins a turn in one step, and a committed message id is a repeat: the last with its replies, an older one without', async () => {
    const first = await store.begin('sim', 'dd', 'm1', 'o1', t0, 1000);
    expect(first).toEqual({ kind: 'turn', state: null });
    // Not recorded before its commit: a turn that fails leaves the message free to run again.
    await store.release('sim', 'dd', 'o1');
    expect(await store.begin('sim', 'dd', 'm1', 'o2', at(1), 1000)).toEqual({ kind: 'turn', state: null });
    await store.commit(newConversation('sim', 'dd', 'zh-CN', t0), 'o2', { messageId: 'm1', replies: [{ text: '一' }] });
    expect(await store.begin('sim', 'dd', 'm1', 'o3', at(2), 1000)).toEqual({ kind: 'repeat', replies: [{ text: '一' }] });
    const second = await store.begin('sim', 'dd', 'm2', 'o4', at(3), 1000);
    expect(second).toMatchObject({ kind: 'turn', state: { version: 1 } });
    await store.commit((second as { state: ReturnType<typeof newConversation> }).state, 'o4', { messageId: 'm2', replies: [{ text: '二' }] });
    expect(await store.begin('sim', 'dd', 'm1', 'o5', at(4), 1000)).toEqual({ kind: 'repeat', replies: [] });
    expect(await store.begin('sim', 'dd', 'm2', 'o6', at(5), 1000)).toEqual({ kind: 'repeat', replies: [{ text: '二' }] });
  });

  it('peeks at a conversation without taking anything: none, the stored state, busy while a turn holds the lease, many at once', async () => {
    expect(await store.peek('sim', 'peek-a', t0)).toEqual({ state: null, busy: false });
    await store.acquire('sim', 'peek-a', 'o1', t0, 1000);
    expect(await store.peek('sim', 'peek-a', at(1))).toEqual({ state: null, busy: true });
    await store.commit({ ...newConversation('sim', 'peek-a', 'en', t0), vars: { pollSession: true } }, 'o1', NO_REPLY);
    const peeked = await store.peek('sim', 'peek-a', at(2));
    expect(peeked.busy).toBe(false);
    expect(peeked.state).toMatchObject({ locale: 'en', vars: { pollSession: true }, version: 1 });
    // The peek took no lease: a turn begins as usual.
    await expect(store.acquire('sim', 'peek-a', 'o2', at(3), 1000)).resolves.toMatchObject({ locale: 'en' });
    await store.release('sim', 'peek-a', 'o2');
    const many = await Promise.all(['peek-a', 'peek-b', 'peek-a', 'peek-c'].map((u) => store.peek('sim', u, at(4))));
    expect(many.map((p) => p.state?.locale ?? null)).toEqual(['en', null, 'en', null]);
  });

  it('refuses to begin while another turn holds the lease, even for a message it has not seen', async () => {
    await store.begin('sim', 'db', 'm1', 'o1', t0, 1000);
    await expect(store.begin('sim', 'db', 'm2', 'o2', at(10), 1000)).rejects.toBeInstanceOf(ConversationBusyError);
    await expect(store.begin('sim', 'db', 'm1', 'o2', at(10), 1000)).rejects.toBeInstanceOf(ConversationBusyError);
  });

  it(`remembers the last ${RECENT_MESSAGES} handled message ids and forgets older ones`, async () => {
    let state = newConversation('sim', 'dr', 'zh-CN', t0);
    for (let i = 0; i <= RECENT_MESSAGES; i++) {
      const begun = await store.begin('sim', 'dr', `r${i}`, `o${i}`, at(i), 1000);
      if (begun.kind !== 'turn') throw new Error(`r${i} was taken for a repeat`);
      state = begun.state ?? state;
      await store.commit(state, `o${i}`, { messageId: `r${i}`, replies: [] });
      state = { ...state, version: state.version + 1 };
    }
    const raw = await connection.db!.collection('conversations').findOne({ _id: 'sim:dr' as never });
    expect(raw?.seen).toHaveLength(RECENT_MESSAGES);
    expect(await store.begin('sim', 'dr', 'r1', 'p', at(100), 1000)).toEqual({ kind: 'repeat', replies: [] });
    await expect(store.begin('sim', 'dr', 'r0', 'p', at(100), 1000)).resolves.toMatchObject({ kind: 'turn' });
  });

  it('keeps answers sealed at rest: the raw document holds no plaintext answer', async () => {
    await store.acquire('sim', 'd', 'o1', t0, 1000);
    const idNumber = '320102198503121234';
    await store.commit({ ...newConversation('sim', 'd', 'zh-CN', t0), answers: { idNumber: { number: idNumber }, mobile: '13812345678' } }, 'o1', {
      messageId: 'm1',
      replies: [{ text: `身份证 ${idNumber}` }],
    });
    const raw = await connection.db!.collection('conversations').findOne({ _id: 'sim:d' as never });
    const text = JSON.stringify(raw);
    expect(text).not.toContain(idNumber);
    expect(text).not.toContain('13812345678');
    expect(raw?.sealed).toMatch(/^v1\./);
  });

  it('deletes conversations idle since before a cutoff, but not ones in a turn', async () => {
    await store.acquire('sim', 'old', 'o', t0, 1000);
    await store.commit(newConversation('sim', 'old', 'zh-CN', t0), 'o', NO_REPLY);
    await store.acquire('sim', 'busy-old', 'o', t0, 10 * 86_400_000);
    await store.acquire('sim', 'new', 'o', t0, 1000);
    await store.commit(newConversation('sim', 'new', 'zh-CN', at(86_400_000)), 'o', NO_REPLY);
    const deleted = await store.deleteIdleSince(at(3600_000));
    expect(deleted).toContainEqual({ flowId: null, flowVersion: null, stepId: null, updatedAt: t0 });
    const ids = (await connection.db!.collection('conversations').find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    expect(ids).not.toContain('sim:old');
    expect(ids).toContain('sim:new');
    expect(ids).toContain('sim:busy-old');
  });

  describe('a turn on the state this instance wrote (commitIfCurrent)', () => {
    /** A conversation committed once by `on`, as a turn's long way leaves it. */
    async function committed(on: ConversationStore, userId: string) {
      await on.begin('sim', userId, 'm1', 'o1', t0, 1000);
      await on.commit({ ...newConversation('sim', userId, 'zh-CN', t0), flowId: 'registration', flowVersion: 1, stepId: 'name' }, 'o1', { messageId: 'm1', replies: [{ text: '一' }] });
      const known = on.known('sim', userId);
      if (!known) throw new Error('the commit left nothing known');
      return known;
    }
    const other = () => createMongoConversationStore(connection, createPiiCipher(TEST_PII_KEY));

    it('knows what it committed, writes a turn on it in one update, and a fresh instance reads that turn', async () => {
      const known = await committed(store, 'k1');
      expect(known).toMatchObject({ stepId: 'name', version: 1, answers: {} });
      expect(await store.commitIfCurrent({ ...known, stepId: 'mobile', answers: { name: '张三' } }, { messageId: 'm2', replies: [{ text: '二' }] }, at(1))).toBe(true);
      expect(store.known('sim', 'k1')).toMatchObject({ stepId: 'mobile', version: 2, answers: { name: '张三' } });
      const fresh = other();
      expect(await fresh.begin('sim', 'k1', 'm3', 'o3', at(2), 1000)).toMatchObject({ kind: 'turn', state: { stepId: 'mobile', version: 2, answers: { name: '张三' } } });
      // The message it recorded is a repeat with its replies; the lease it left is free (o3 got it).
      await fresh.release('sim', 'k1', 'o3');
      expect(await fresh.begin('sim', 'k1', 'm2', 'o4', at(3), 1000)).toEqual({ kind: 'repeat', replies: [{ text: '二' }] });
    });

    it('writes nothing when another instance moved the conversation on, and forgets it', async () => {
      const known = await committed(store, 'k2');
      const second = other();
      await second.begin('sim', 'k2', 'x1', 'p1', at(1), 1000);
      await second.commit({ ...known, stepId: 'elsewhere' }, 'p1', { messageId: 'x1', replies: [] });
      expect(await store.commitIfCurrent({ ...known, stepId: 'mobile' }, { messageId: 'm2', replies: [] }, at(2))).toBe(false);
      expect(store.known('sim', 'k2')).toBeNull();
      expect(await second.begin('sim', 'k2', 'x2', 'p2', at(3), 1000)).toMatchObject({ state: { stepId: 'elsewhere', version: 2 } });
    });

    it('writes nothing while another turn holds the lease, nor on an expired one left behind, which the long way takes over', async () => {
      const known = await committed(store, 'k3');
      await other().begin('sim', 'k3', 'y1', 'p1', at(1), 1000);
      expect(await store.commitIfCurrent({ ...known, stepId: 'mobile' }, { messageId: 'm2', replies: [] }, at(500))).toBe(false);
      const again = await committed(store, 'k3b');
      await other().begin('sim', 'k3b', 'y1', 'p1', at(1), 1000);
      expect(await store.commitIfCurrent({ ...again, stepId: 'mobile' }, { messageId: 'm2', replies: [] }, at(2000))).toBe(false);
      const begun = await store.begin('sim', 'k3b', 'm2', 'o2', at(2000), 1000);
      expect(begun).toMatchObject({ kind: 'turn', state: { stepId: 'name', version: 1 } });
      await store.commit({ ...(begun as { state: ReturnType<typeof newConversation> }).state, stepId: 'mobile' }, 'o2', { messageId: 'm2', replies: [] });
      // The long way's commit cleared the lease: the next turn on the known state is written in one update again.
      expect(await store.commitIfCurrent({ ...store.known('sim', 'k3b')!, stepId: 'region' }, { messageId: 'm3', replies: [] }, at(2001))).toBe(true);
      expect(await other().peek('sim', 'k3b', at(2002))).toMatchObject({ busy: false, state: { stepId: 'region', version: 3 } });
    });

    it('writes only the fields a turn on the known state changed, and a fresh instance reads every field right', async () => {
      const known = await committed(store, 'k7');
      const spy = vi.spyOn(connection.models.Conversation!.collection, 'updateOne');
      try {
        expect(await store.commitIfCurrent({ ...known, locale: 'en', answers: { name: 'Ann' } }, { messageId: 'm2', replies: [{ text: 'two' }] }, at(1))).toBe(true);
        const $set = (spy.mock.calls[0]![1] as { $set: Record<string, unknown> }).$set;
        expect(Object.keys($set).sort()).toEqual(['lastMessageId', 'lastReplies', 'locale', 'sealed', 'turn', 'updatedAt']);
      } finally {
        spy.mockRestore();
      }
      expect(await other().begin('sim', 'k7', 'm3', 'o3', at(2), 1000)).toMatchObject({
        kind: 'turn',
        state: { flowId: 'registration', flowVersion: 1, stepId: 'name', locale: 'en', answers: { name: 'Ann' }, version: 2 },
      });
    });

    it('writes nothing for a message already handled (a repeat keeps its first answer)', async () => {
      const known = await committed(store, 'k4');
      expect(await store.commitIfCurrent({ ...known, stepId: 'mobile' }, { messageId: 'm1', replies: [{ text: 'again' }] }, at(1))).toBe(false);
      expect(await other().begin('sim', 'k4', 'm1', 'o9', at(2), 1000)).toEqual({ kind: 'repeat', replies: [{ text: '一' }] });
    });

    it('does not overwrite a conversation deleted when idle and started again at the same version', async () => {
      const known = await committed(store, 'k5');
      expect(await store.deleteIdleSince(at(3600_000))).not.toHaveLength(0);
      const second = other();
      await second.begin('sim', 'k5', 'z1', 'p1', at(3600_001), 1000);
      await second.commit({ ...newConversation('sim', 'k5', 'zh-CN', at(3600_001)), stepId: 'restarted' }, 'p1', { messageId: 'z1', replies: [] });
      expect(await store.commitIfCurrent({ ...known, stepId: 'stale' }, { messageId: 'm2', replies: [] }, at(3600_002))).toBe(false);
      expect(await second.begin('sim', 'k5', 'z2', 'p2', at(3600_003), 1000)).toMatchObject({ state: { stepId: 'restarted', version: 1 } });
    });

    it('writes nothing on a known state older than a numbered notice sent to the chat, and writes on one newer', async () => {
      const userId = 'k-notice';
      const known = await committed(store, userId);
      // A notice as old as the state (or older) changes nothing: the state's turn came after it.
      await store.noticeSent([{ channel: 'sim', userId }], new Date(known.updatedAt));
      expect(await store.commitIfCurrent({ ...known, stepId: 'two', updatedAt: at(10).toISOString() }, { messageId: 'm2', replies: [] }, at(10))).toBe(true);
      const later = store.known('sim', userId)!;
      await store.noticeSent([{ channel: 'sim', userId }, { channel: 'sim', userId: 'nobody-here' }], at(20));
      expect(await store.commitIfCurrent({ ...later, stepId: 'three' }, { messageId: 'm3', replies: [] }, at(30))).toBe(false);
      expect(store.known('sim', userId)).toBeNull();
      // The long way writes it, and a chat without a conversation was not created by the notice.
      const taken = (await store.begin('sim', userId, 'm3', 'o3', at(30), 1000)) as { state: ReturnType<typeof newConversation> };
      expect(taken.state.stepId).toBe('two');
      await expect(store.commit({ ...taken.state, stepId: 'three' }, 'o3', { messageId: 'm3', replies: [] })).resolves.toBeUndefined();
      expect(await connection.models.Conversation!.collection.countDocuments({ _id: 'sim:nobody-here' } as never)).toBe(0);
    });

    it('hands out a copy: a turn changing the known state changes nothing remembered', async () => {
      const known = await committed(store, 'k6');
      (known.answers as Record<string, unknown>).name = 'changed';
      expect(store.known('sim', 'k6')?.answers).toEqual({});
    });
  });

  describe('the turns of many chats at once (one command for the group)', () => {
    const bulkWrites = () => vi.spyOn(connection.models.Conversation!.collection, 'bulkWrite');

    it('takes the leases of many chats at once in one command, each with its own outcome: taken, busy or a repeat', async () => {
      // t0: new; t1: stored state; t2: its lease held by another turn; t3: the message was handled already.
      await store.begin('sim', 't1', 't1-m0', 'o', t0, 1000);
      await store.commit({ ...newConversation('sim', 't1', 'zh-CN', t0), stepId: 'stored' }, 'o', { messageId: 't1-m0', replies: [] });
      await store.begin('sim', 't2', 't2-m0', 'holder', t0, 60_000);
      await store.begin('sim', 't3', 't3-m1', 'o', t0, 1000);
      await store.commit(newConversation('sim', 't3', 'zh-CN', t0), 'o', { messageId: 't3-m1', replies: [{ text: '三' }] });
      const users = ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7'];
      const spy = bulkWrites();
      try {
        const begun = await Promise.allSettled(users.map((u) => store.begin('sim', u, `${u}-m1`, `o-${u}`, at(10), 1000)));
        expect(spy.mock.calls.map(([ops]) => ops.length).some((n) => n > 1)).toBe(true);
        const outcome = begun.map((b) => (b.status === 'rejected' ? (b.reason as Error).name : b.value.kind === 'repeat' ? `repeat ${JSON.stringify(b.value.replies)}` : (b.value.state?.stepId ?? 'new')));
        expect(outcome).toEqual(['new', 'stored', 'ConversationBusyError', 'repeat [{"text":"三"}]', 'new', 'new', 'new', 'new']);
      } finally {
        spy.mockRestore();
      }
      // The leases taken are held (a second turn is busy) and the one held before still belongs to its holder.
      await expect(store.begin('sim', 't1', 't1-m2', 'again', at(20), 1000)).rejects.toBeInstanceOf(ConversationBusyError);
      await expect(store.commit({ ...newConversation('sim', 't2', 'zh-CN', t0), stepId: 'held' }, 'holder', { messageId: 't2-m0', replies: [] })).resolves.toBeUndefined();
      await expect(store.commit({ ...newConversation('sim', 't4', 'zh-CN', t0), stepId: 'mine' }, 'o-t4', { messageId: 't4-m1', replies: [] })).resolves.toBeUndefined();
    });
    /** `n` chats, each with its lease taken by owner `o-<user>`, ready to commit. */
    async function leased(prefix: string, n: number) {
      const users = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
      for (const u of users) await store.begin('sim', u, `${u}-m1`, `o-${u}`, t0, 60_000);
      return users;
    }

    it('sends commits that gather while others are under way as one command, and each turn gets its own outcome', async () => {
      const users = await leased('g', 8);
      // g3's lease was taken over after it expired: its commit must fail alone, the group's others be saved.
      await store.acquire('sim', 'g3', 'thief', at(120_000), 60_000);
      const spy = bulkWrites();
      try {
        const outcomes = await Promise.allSettled(
          users.map((u) => store.commit({ ...newConversation('sim', u, 'zh-CN', t0), stepId: `at-${u}` }, `o-${u}`, { messageId: `${u}-m1`, replies: [{ text: u }] })),
        );
        expect(spy.mock.calls.map(([ops]) => ops.length).some((n) => n > 1)).toBe(true);
        expect(outcomes.map((o) => o.status)).toEqual(users.map((u) => (u === 'g3' ? 'rejected' : 'fulfilled')));
        expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(LeaseLostError);
      } finally {
        spy.mockRestore();
      }
      for (const u of users.filter((u) => u !== 'g3')) {
        expect(store.known('sim', u)).toMatchObject({ stepId: `at-${u}`, version: 1 });
        expect(await store.begin('sim', u, `${u}-m1`, 'later', at(200_000), 1000)).toEqual({ kind: 'repeat', replies: [{ text: u }] });
      }
      // The thief's lease and the stored conversation are as they were.
      expect(store.known('sim', 'g3')).toBeNull();
      await expect(store.begin('sim', 'g3', 'g3-m2', 'later', at(130_000), 1000)).rejects.toBeInstanceOf(ConversationBusyError);
    });

    const finds = () => vi.spyOn(connection.models.Conversation!.collection, 'find');

    it('takes a group of leases on new and remembered conversations in one command, reading nothing back', async () => {
      const remembered = await leased('n', 4);
      for (const u of remembered) await store.commit({ ...newConversation('sim', u, 'zh-CN', t0), stepId: `at-${u}` }, `o-${u}`, { messageId: `${u}-m1`, replies: [] });
      const users = [...remembered, 'n-new0', 'n-new1', 'n-new2'];
      const writes = bulkWrites();
      const reads = finds();
      try {
        const begun = await Promise.all(users.map((u) => store.begin('sim', u, `${u}-m2`, `p-${u}`, at(10), 60_000)));
        expect(writes.mock.calls.map(([ops]) => ops.length).some((n) => n > 1)).toBe(true);
        expect(reads).not.toHaveBeenCalled();
        expect(begun.map((b) => (b.kind === 'turn' ? (b.state?.stepId ?? 'new') : b.kind))).toEqual([...remembered.map((u) => `at-${u}`), 'new', 'new', 'new']);
      } finally {
        writes.mockRestore();
        reads.mockRestore();
      }
      // Each lease is really held, by the take that was told so: another turn is busy, the owner's commit lands.
      await expect(store.begin('sim', 'n0', 'n0-m3', 'other', at(20), 1000)).rejects.toBeInstanceOf(ConversationBusyError);
      await expect(store.begin('sim', 'n-new1', 'n-new1-m3', 'other', at(20), 1000)).rejects.toBeInstanceOf(ConversationBusyError);
      const n1 = store.known('sim', 'n1')!;
      await expect(store.commit({ ...n1, stepId: 'moved' }, 'p-n1', { messageId: 'n1-m2', replies: [] })).resolves.toBeUndefined();
      await expect(store.commit(newConversation('sim', 'n-new2', 'zh-CN', t0), 'p-n-new2', { messageId: 'n-new2-m2', replies: [] })).resolves.toBeUndefined();
    });

    it('takes a remembered conversation that moved on elsewhere, was deleted when idle or is busy or a repeat, as if it were not remembered', async () => {
      const users = await leased('s', 6);
      for (const u of users) await store.commit({ ...newConversation('sim', u, 'zh-CN', t0), stepId: 'mine' }, `o-${u}`, { messageId: `${u}-m1`, replies: [{ text: u }] });
      const elsewhere = createMongoConversationStore(connection, createPiiCipher(TEST_PII_KEY));
      // s1: another instance ran a turn since; s2: deleted when idle; s3: another instance holds its lease now.
      const s1 = (await elsewhere.begin('sim', 's1', 's1-x', 'p', at(1), 1000)) as { state: ReturnType<typeof newConversation> };
      await elsewhere.commit({ ...s1.state, stepId: 'elsewhere' }, 'p', { messageId: 's1-x', replies: [] });
      await connection.models.Conversation!.collection.deleteOne({ _id: 'sim:s2' } as never);
      await elsewhere.begin('sim', 's3', 's3-x', 'holder', at(1), 60_000);
      const writes = bulkWrites();
      try {
        // s4 sends its last message again (a repeat); s0 and s5 go on as remembered.
        const ids = { s0: 's0-m2', s1: 's1-m2', s2: 's2-m2', s3: 's3-m2', s4: 's4-m1', s5: 's5-m2' } as Record<string, string>;
        const begun = await Promise.allSettled(users.map((u) => store.begin('sim', u, ids[u]!, `q-${u}`, at(10), 60_000)));
        expect(writes.mock.calls.map(([ops]) => ops.length).some((n) => n > 1)).toBe(true);
        const outcome = begun.map((b) => (b.status === 'rejected' ? (b.reason as Error).name : b.value.kind === 'repeat' ? `repeat ${JSON.stringify(b.value.replies)}` : (b.value.state ? `${b.value.state.stepId} v${b.value.state.version}` : 'new')));
        expect(outcome).toEqual(['mine v1', 'elsewhere v2', 'new', 'ConversationBusyError', 'repeat [{"text":"s4"}]', 'mine v1']);
      } finally {
        writes.mockRestore();
      }
      // The retried takes hold their leases: their owners' commits land on the states they were given.
      await expect(store.commit({ ...newConversation('sim', 's1', 'zh-CN', t0), stepId: 'after', version: 2 }, 'q-s1', { messageId: 's1-m2', replies: [] })).resolves.toBeUndefined();
      await expect(store.commit({ ...newConversation('sim', 's2', 'zh-CN', t0), stepId: 'again' }, 'q-s2', { messageId: 's2-m2', replies: [] })).resolves.toBeUndefined();
      expect(await elsewhere.begin('sim', 's2', 's2-y', 'p3', at(20), 1000)).toMatchObject({ state: { stepId: 'again', version: 1 } });
    });

    it('writes a group of turns on known states, all but the one another instance moved on', async () => {
      const users = await leased('h', 6);
      for (const u of users) await store.commit({ ...newConversation('sim', u, 'zh-CN', t0), stepId: 'one' }, `o-${u}`, { messageId: `${u}-m1`, replies: [] });
      const known = users.map((u) => store.known('sim', u)!);
      const elsewhere = createMongoConversationStore(connection, createPiiCipher(TEST_PII_KEY));
      await elsewhere.begin('sim', 'h2', 'h2-x', 'p', at(1), 1000);
      await elsewhere.commit({ ...known[2]!, stepId: 'elsewhere' }, 'p', { messageId: 'h2-x', replies: [] });
      const spy = bulkWrites();
      try {
        const written = await Promise.all(known.map((k, i) => store.commitIfCurrent({ ...k, stepId: 'two' }, { messageId: `${users[i]}-m2`, replies: [] }, at(2))));
        expect(spy.mock.calls.map(([ops]) => ops.length).some((n) => n > 1)).toBe(true);
        expect(written).toEqual(users.map((u) => u !== 'h2'));
      } finally {
        spy.mockRestore();
      }
      expect(await elsewhere.begin('sim', 'h2', 'h2-y', 'p2', at(3), 1000)).toMatchObject({ state: { stepId: 'elsewhere', version: 2 } });
      expect(await elsewhere.begin('sim', 'h1', 'h1-y', 'p2', at(3), 1000)).toMatchObject({ state: { stepId: 'two', version: 2 } });
    });
  });
});
