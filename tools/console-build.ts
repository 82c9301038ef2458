/**
 * Builds the admin console (console/ → console/dist) when the build is missing or stale, so `npm ci && npm start`
 * serves a working console with no extra step. Stale = the hash of console/'s sources and of package-lock.json
 * (a dependency upgrade changes the bundle) differs from the one stored with the build.
 *
 *   tsx tools/console-build.ts            build unless the stored hash matches (npm start, npm ci via prepare)
 *   tsx tools/console-build.ts --force    build anyway (npm run console:build)
 *
 * Two builds at once (parallel test files, a start during an install) take turns through a lock file; the one
 * that waited then finds the build fresh. The build goes to a staging directory renamed into place, so a reader
 * never sees half a build.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, open, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const CONSOLE_DIR = join(ROOT, 'console');
export const DIST_DIR = join(CONSOLE_DIR, 'dist');
/** Beside the files it describes, so a build copied elsewhere keeps its hash. */
export const HASH_FILE = '.source-hash';
const LOCK = join(CONSOLE_DIR, '.build.lock');
const SKIP = new Set(['dist', 'node_modules']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.startsWith('.') || entry.name.startsWith('dist-')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** sha256 over console/'s files (path and content, in a fixed order) and the lock file. */
export function consoleSourceHash(consoleDir = CONSOLE_DIR, lockFile = join(ROOT, 'package-lock.json')): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(consoleDir).sort()) {
    hash.update(relative(consoleDir, file).split('\\').join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  if (existsSync(lockFile)) hash.update(readFileSync(lockFile));
  return hash.digest('hex');
}

export function storedHash(distDir = DIST_DIR): string | null {
  try {
    if (!existsSync(join(distDir, 'index.html'))) return null;
    return readFileSync(join(distDir, HASH_FILE), 'utf8').trim();
  } catch {
    return null;
  }
}

export function isFresh(): boolean {
  return storedHash() === consoleSourceHash();
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function withLock<T>(log: (line: string) => void, run: () => Promise<T>): Promise<T> {
  let told = false;
  for (;;) {
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(LOCK, 'utf8').catch(() => '')).trim());
      // A lock left by a build that died (killed, crashed) is taken over; an empty one is being written.
      if (holder && !pidAlive(holder)) {
        await rm(LOCK, { force: true });
        continue;
      }
      if (!told) log(`console: another build (process ${holder || '?'}) is running; waiting for it`);
      told = true;
      await sleep(250);
    }
  }
  try {
    return await run();
  } finally {
    await rm(LOCK, { force: true });
  }
}

/** Precompressed copies that @koa/send serves to browsers that accept them (the app has no compression middleware). */
async function precompress(dir: string): Promise<void> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && /\.(js|css|svg|html)$/.test(e.name));
  await Promise.all(
    files.map(async (e) => {
      const path = join(e.parentPath, e.name);
      const bytes = await readFile(path);
      if (bytes.length < 1024) return;
      await writeFile(`${path}.br`, await promisify(brotliCompress)(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }));
      await writeFile(`${path}.gz`, await promisify(gzip)(bytes, { level: 9 }));
    }),
  );
}

export interface BuildResult {
  built: boolean;
  ms: number;
  hash: string;
}

/** Builds unless fresh (or always, with force); prints what it does, since a first build takes a while. */
export async function ensureConsoleBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<BuildResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = performance.now();
  if (!options.force && isFresh()) return { built: false, ms: performance.now() - started, hash: storedHash()! };
  return withLock(log, async () => {
    const hash = consoleSourceHash();
    if (!options.force && storedHash() === hash) return { built: false, ms: performance.now() - started, hash };
    // Staging directories are made only under the lock: any found now were left by a build that was killed.
    for (const entry of await readdir(CONSOLE_DIR)) if (entry.startsWith('dist-')) await rm(join(CONSOLE_DIR, entry), { recursive: true, force: true });
    log(storedHash() === null ? 'console: no build yet; building the admin console (about a minute)…' : 'console: sources changed since the last build; rebuilding the admin console…');
    const staging = await mkdtemp(join(CONSOLE_DIR, 'dist-'));
    try {
      const { build } = await import('vite');
      await build({ configFile: join(CONSOLE_DIR, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
      await precompress(staging);
      await writeFile(join(staging, HASH_FILE), `${hash}\n`);
      const old = `${DIST_DIR}-old-${process.pid}`;
      if (existsSync(DIST_DIR)) await rename(DIST_DIR, old);
      await rename(staging, DIST_DIR);
      await rm(old, { recursive: true, force: true });
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    const ms = performance.now() - started;
    log(`console: built in ${(ms / 1000).toFixed(1)} s → ${relative(ROOT, DIST_DIR)}`);
    return { built: true, ms, hash };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  ensureConsoleBuilt({ force: process.argv.includes('--force') }).catch((error: unknown) => {
    console.error(`console: the build failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
