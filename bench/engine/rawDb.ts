/**
 * Part 2a of bench:engine: the raw embedded database doing a findOneAndUpdate comparable to a turn's write, the
 * yardstick for the end-to-end rate. Measured on a second embedded memory server started just for it
 * (RunningApp does not expose the app's database URI), before the app starts, so the two JVMs never compete.
 */
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/store/embedded/launcher.ts';
import { cpuMark, cpuSince } from '../support/cpu.ts';
import { fmt, heading, out, row, status } from '../support/report.ts';

const RAW_WARMUP_MS = 4_000; // the JVM needs seconds of traffic before its JIT settles (≈500 ops/s in the first 3 s, ≈4,000 after)
const RAW_MEASURE_MS = 5_000;
const RAW_IN_FLIGHT = 64;
const RAW_KEYS = 200;

export async function benchRawDb(): Promise<number> {
  status('starting a second embedded memory server for the raw database measurement');
  let mongo: EmbeddedMongo | undefined;
  let client: MongoClient | undefined;
  try {
    mongo = await startEmbeddedMongo({ backend: 'memory' });
    client = new MongoClient(`${mongo.uri}bench`, { maxPoolSize: RAW_IN_FLIGHT });
    await client.connect();
    const coll = client.db('bench').collection<{ _id: string; sealed?: string; version?: number; updatedAt?: Date }>('conversations');
    const payload = 'x'.repeat(2048); // ~2 KB document, like a sealed conversation
    let ops = 0;
    let errors = 0;
    const run = async (ms: number): Promise<number> => {
      ops = 0;
      const t0 = performance.now();
      const end = t0 + ms;
      await Promise.all(
        Array.from({ length: RAW_IN_FLIGHT }, async (_, w) => {
          for (let i = w; performance.now() < end; i += RAW_IN_FLIGHT) {
            try {
              await coll.findOneAndUpdate(
                { _id: `k${i % RAW_KEYS}` },
                { $set: { sealed: payload, updatedAt: new Date() }, $inc: { version: 1 } },
                { upsert: true, returnDocument: 'after' },
              );
              ops++;
            } catch {
              errors++;
            }
          }
        }),
      );
      return performance.now() - t0;
    };
    status(`raw findOneAndUpdate warm-up ${RAW_WARMUP_MS / 1000} s`);
    await run(RAW_WARMUP_MS);
    status(`raw findOneAndUpdate measuring ${RAW_MEASURE_MS / 1000} s`);
    const cpu = cpuMark([mongo.pid]);
    const elapsed = await run(RAW_MEASURE_MS);
    const cpuText = cpuSince(cpu);
    const rate = ops / (elapsed / 1000);
    heading('2a. Raw embedded database — comparable findOneAndUpdate (mongodb driver)');
    out('  (a second mongo-java-server, memory backend, started for this: RunningApp does not expose the app\'s');
    out('   database URI; measured before the app starts so the two JVMs do not share the CPU)');
    row('operation', 'upsert by _id', `$set 2 KB string + $inc version, ${RAW_KEYS} keys, returnDocument after`);
    row('in flight', fmt(RAW_IN_FLIGHT));
    row('raw ops/s', fmt(rate), `${fmt(ops)} ops in ${fmt(elapsed / 1000, 2)} s, ${fmt(errors)} errors`);
    row('CPU while measuring', '', cpuText);
    return rate;
  } finally {
    await client?.close().catch(() => undefined);
    await mongo?.stop().catch(() => undefined);
  }
}
