import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/app/ports/clock.ts';
import { startRedcollar, type RunningApp } from '../../src/main.ts';
import { testDbUri } from './db.ts';

/** Start the whole app on a random port against this run's test database (a fresh database per call). */
export async function startTestApp(tag: string, env: Record<string, string> = {}, opts: { clock?: Clock; root?: string; logDestination?: import('pino').DestinationStream } = {}): Promise<RunningApp> {
  return (await startTestAppWithDb(tag, env, opts)).app;
}

/**
 * The same, also giving the database URI so a test can look at (or seed) the database directly. `root`: a copy of
 * the content (flows, templates, policies) to read instead of the repository's.
 */
export async function startTestAppWithDb(tag: string, env: Record<string, string> = {}, opts: { clock?: Clock; root?: string; logDestination?: import('pino').DestinationStream } = {}): Promise<{ app: RunningApp; uri: string }> {
  const uri = testDbUri(tag);
  const app = await startRedcollar(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      MONGODB_URI: uri,
      PII_KEY: randomBytes(32).toString('base64'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'redcollar-test-')),
      ...env,
    },
    opts,
  );
  return { app, uri };
}

export interface SimReply {
  text: string;
  choices?: { id: string; label: string }[];
}

/** POST /sim/api/messages; returns status and parsed body. */
export async function simPost(url: string, body: unknown, init: { raw?: string; contentType?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/sim/api/messages`, {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? 'application/json' },
    body: init.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { nonJson: text };
  }
  return { status: res.status, body: parsed };
}

export async function simSay(url: string, userId: string, text: string): Promise<SimReply[]> {
  const r = await simPost(url, { userId, text });
  if (r.status !== 200) throw new Error(`POST /sim/api/messages answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.replies as SimReply[];
}

/** One admin API call with a bearer token; the JSON body parsed (null when empty). */
// The API answers JSON of several shapes; the tests' assertions check them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function adminApi(url: string, bearer: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/admin/api${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const raw = await res.text();
  return { status: res.status, body: raw ? JSON.parse(raw) : null };
}
