/**
 * Starts the embedded MongoDB-wire-compatible server (mongo-java-server, see
 * EmbeddedMongo.java) as a child JVM, for when MONGODB_URI is unset.
 *
 * First start: Maven resolves the jars (into ~/.m2) and javac compiles the
 * Java sources here; both results are cached under the user cache dir, so
 * later starts run neither Maven nor javac and only pay for JVM startup.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { classArchive } from './classArchive.ts';

export interface EmbeddedMongo {
  /** Connection string without a database name, e.g. `mongodb://127.0.0.1:40123/`. */
  uri: string;
  /** The server JVM's process id (for diagnostics and tests). */
  pid: number;
  /** Stops the server (flushing the H2 file); safe to call more than once. */
  stop(): Promise<void>;
}

/** Java or Maven is missing or too old: the embedded server cannot run on this machine. */
export class EmbeddedMongoUnavailableError extends Error {
  override name = 'EmbeddedMongoUnavailableError';
}

export interface StartEmbeddedMongoOptions {
  backend: 'memory' | 'h2';
  /**
   * Directory for the h2 backend's file (`embedded-mongo.mv`) and its write-ahead log (`embedded-mongo.mv.wal-NNNNNN`,
   * replayed at the next start after a crash); created if missing. Required for h2.
   */
  dataDir?: string;
  /** Receives progress messages and the server's stderr; nothing is printed otherwise. */
  log?: (line: string) => void;
  /** How long to wait for the JVM to report its port (Maven/javac time on a first run is not counted). */
  startTimeoutMs?: number;
  /** Where the resolved classpath and compiled class are cached; defaults to the user cache dir. */
  cacheDir?: string;
  /**
   * H2 only: how often the write-ahead log is truncated by a checkpoint of the store (default 1,000 ms). Tests set a
   * long interval to keep the writes in the log, so that a kill leaves them for the replay at the next start.
   */
  checkpointIntervalMs?: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const POM_PATH = join(HERE, 'pom.xml');
/** The server's Java sources: EmbeddedMongo.java (main) and the secondary indexes it adds to mongo-java-server. */
const SOURCE_PATHS = readdirSync(HERE)
  .filter((name) => name.endsWith('.java'))
  .sort()
  .map((name) => join(HERE, name));
const MAIN_CLASS = 'EmbeddedMongo';
const H2_FILE_NAME = 'embedded-mongo.mv';
const MIN_JAVA_MAJOR = 17;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const MAVEN_TIMEOUT_MS = 10 * 60_000;
const JAVAC_TIMEOUT_MS = 2 * 60_000;
const STOP_GRACE_MS = 10_000;
const STDERR_TAIL_CHARS = 4_000;

const HOW_TO_FIX =
  'Install Java 17+ (JDK, for javac) and Maven, e.g. `apt-get install openjdk-17-jdk-headless maven`, ' +
  'or set MONGODB_URI to an existing MongoDB server.';

export async function startEmbeddedMongo(opts: StartEmbeddedMongoOptions): Promise<EmbeddedMongo> {
  const log = opts.log ?? (() => {});
  const serverArgs = await serverArguments(opts);
  const java = javaTools();
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  await checkJavaVersionOnce(java.java, cacheDir);
  const classpath = await resolveClasspath(cacheDir, log);
  const classesDir = await compileLauncherClass(cacheDir, classpath, java.javac, log);
  const archive = await classArchive(classesDir, java.jar, jvmIdentity(java.java));
  return spawnServer({
    java: java.java,
    jvmFlags: [...JVM_FLAGS, ...archive.jvmFlags],
    classpath: [archive.classesEntry, classpath].join(delimiter),
    onExit: (code, signal) => archive.settle(code, signal).catch(() => undefined),
    serverArgs,
    log,
    startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
  });
}

// ---------------------------------------------------------------------------
// Arguments and environment

async function serverArguments(opts: StartEmbeddedMongoOptions): Promise<string[]> {
  const args = ['--backend', opts.backend, '--host', '127.0.0.1', '--port', '0'];
  if (opts.backend === 'h2') {
    if (!opts.dataDir) {
      throw new Error("startEmbeddedMongo: backend 'h2' needs dataDir (the directory to keep embedded-mongo.mv in).");
    }
    const dataDir = resolve(opts.dataDir);
    await mkdir(dataDir, { recursive: true });
    args.push('--file', join(dataDir, H2_FILE_NAME));
    if (opts.checkpointIntervalMs !== undefined) args.push('--checkpoint-ms', String(opts.checkpointIntervalMs));
  } else if (opts.backend !== 'memory') {
    throw new Error(`startEmbeddedMongo: unknown backend '${String(opts.backend)}'; use 'memory' or 'h2'.`);
  }
  return args;
}

/** Honour JAVA_HOME like Maven does, so both use the same JDK. */
function javaTools(): { java: string; javac: string; jar: string } {
  const javaHome = process.env.JAVA_HOME;
  if (javaHome && existsSync(join(javaHome, 'bin', 'java'))) {
    return { java: join(javaHome, 'bin', 'java'), javac: join(javaHome, 'bin', 'javac'), jar: join(javaHome, 'bin', 'jar') };
  }
  return { java: 'java', javac: 'javac', jar: 'jar' };
}

/** What a class archive made by one JVM depends on besides the classes: that JVM (by its file) and its flags. */
function jvmIdentity(java: string): string {
  const executable = javaExecutable(java);
  const file = executable === undefined ? java : `${executable}:${statSync(executable).size}:${statSync(executable).mtimeMs}`;
  return shortHash(file, ...JVM_FLAGS);
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'redcollar-embedded-mongo');
}

// ---------------------------------------------------------------------------
// Tool checks

interface RunResult {
  stdout: string;
  stderr: string;
}

class ToolMissingError extends Error {}

/** Runs a short-lived tool; ENOENT becomes ToolMissingError, a failure carries its output. */
function run(command: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new ToolMissingError(`\`${command}\` was not found on PATH`));
          return;
        }
        const output = tail(`${stdout}\n${stderr}`.trim(), STDERR_TAIL_CHARS);
        reject(new Error(`\`${command} ${args.join(' ')}\` failed: ${error.message}\n${output}`));
        return;
      }
      resolvePromise({ stdout, stderr });
    });
  });
}

/** Parses `java -version` output: `openjdk version "17.0.15"` or the old `java version "1.8.0_392"`. */
export function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** The executable `java` names: itself when a path, else the first on PATH; with links resolved. */
function javaExecutable(java: string): string | undefined {
  const candidates = java.includes('/') ? [java] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, java));
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return realpathSync(candidate);
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * `java -version` starts a JVM, which on a loaded machine added up to a second to every start; a passed check is
 * remembered for the same executable (path, size and modification time), so another JDK on PATH is checked again.
 */
async function checkJavaVersionOnce(java: string, cacheDir: string): Promise<void> {
  const executable = javaExecutable(java);
  if (executable === undefined) return checkJavaVersion(java);
  const { size, mtimeMs } = statSync(executable);
  const marker = join(cacheDir, `java-ok-${shortHash(executable, String(size), String(mtimeMs))}`);
  if (existsSync(marker)) return;
  await checkJavaVersion(java);
  await mkdir(cacheDir, { recursive: true });
  await writeFile(marker, `${executable}\n`);
}

async function checkJavaVersion(java: string): Promise<void> {
  let output: string;
  try {
    const result = await run(java, ['-version'], 30_000);
    output = `${result.stderr}\n${result.stdout}`;
  } catch (error) {
    if (error instanceof ToolMissingError) {
      throw new EmbeddedMongoUnavailableError(`Embedded MongoDB needs Java ${MIN_JAVA_MAJOR}+, but ${error.message}. ${HOW_TO_FIX}`);
    }
    throw error;
  }
  const major = parseJavaMajorVersion(output);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    const found = major === undefined ? 'an unrecognised version' : `Java ${major}`;
    throw new EmbeddedMongoUnavailableError(
      `Embedded MongoDB needs Java ${MIN_JAVA_MAJOR}+, but \`${java} -version\` reports ${found}. ${HOW_TO_FIX}`,
    );
  }
}

async function checkMaven(): Promise<void> {
  try {
    await run('mvn', ['-v'], 60_000);
  } catch (error) {
    if (error instanceof ToolMissingError) {
      throw new EmbeddedMongoUnavailableError(
        `Embedded MongoDB needs Maven to fetch its jars on first use, but ${error.message}. ${HOW_TO_FIX}`,
      );
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Classpath (Maven) and compiled class (javac), both cached

function shortHash(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function pomHash(): string {
  return shortHash(readFileSync(POM_PATH, 'utf8'));
}

async function readCachedClasspath(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
  const entries = text.split(delimiter).filter((entry) => entry.length > 0);
  // A cleaned ~/.m2 invalidates the cache: Maven must fetch the jars again.
  if (entries.length === 0 || !entries.every((entry) => existsSync(entry))) return undefined;
  return entries.join(delimiter);
}

async function resolveClasspath(cacheDir: string, log: (line: string) => void): Promise<string> {
  const cacheFile = join(cacheDir, `classpath-${pomHash()}.txt`);
  const cached = await readCachedClasspath(cacheFile);
  if (cached) return cached;

  await checkMaven();
  log('embedded-mongo: resolving jars with Maven (first run only; may download from Maven Central)...');
  await mkdir(cacheDir, { recursive: true });
  const tmpFile = `${cacheFile}.${process.pid}.tmp`;
  try {
    await run(
      'mvn',
      ['-q', '-B', '-f', POM_PATH, 'dependency:build-classpath', `-Dmdep.outputFile=${tmpFile}`],
      MAVEN_TIMEOUT_MS,
    );
    // Rename is atomic, so a concurrent start never reads a half-written file.
    await rename(tmpFile, cacheFile);
  } catch (error) {
    await rm(tmpFile, { force: true });
    throw new Error(
      `embedded-mongo: Maven could not resolve ${POM_PATH} (is Maven Central reachable?): ${(error as Error).message}`,
    );
  }
  const classpath = await readCachedClasspath(cacheFile);
  if (!classpath) {
    throw new Error(`embedded-mongo: Maven wrote an empty or stale classpath to ${cacheFile}; delete it and retry.`);
  }
  return classpath;
}

/**
 * Compiling once saves ~1.4 s per start compared with Java's single-file
 * source launch, which recompiles the sources on every run.
 */
async function compileLauncherClass(
  cacheDir: string,
  classpath: string,
  javac: string,
  log: (line: string) => void,
): Promise<string> {
  const sources = SOURCE_PATHS.flatMap((path) => [basename(path), readFileSync(path, 'utf8')]);
  const classesDir = join(cacheDir, `classes-${shortHash(...sources, pomHash())}`);
  if (existsSync(join(classesDir, `${MAIN_CLASS}.class`))) return classesDir;

  log('embedded-mongo: compiling the server (first run only)...');
  const tmpDir = `${classesDir}.${process.pid}.tmp`;
  await rm(tmpDir, { recursive: true, force: true });
  try {
    // --release 17 keeps the class runnable on any supported JVM, whichever JDK compiles it.
    await run(javac, ['--release', String(MIN_JAVA_MAJOR), '-cp', classpath, '-d', tmpDir, ...SOURCE_PATHS], JAVAC_TIMEOUT_MS);
  } catch (error) {
    await rm(tmpDir, { recursive: true, force: true });
    if (error instanceof ToolMissingError) {
      throw new EmbeddedMongoUnavailableError(
        `Embedded MongoDB needs a Java ${MIN_JAVA_MAJOR}+ JDK (not only a JRE), but ${error.message}. ${HOW_TO_FIX}`,
      );
    }
    throw error;
  }
  try {
    await rename(tmpDir, classesDir);
  } catch (error) {
    // Another process compiled the same source at the same moment; use theirs.
    await rm(tmpDir, { recursive: true, force: true });
    if (!existsSync(join(classesDir, `${MAIN_CLASS}.class`))) throw error;
  }
  return classesDir;
}

// ---------------------------------------------------------------------------
// The child JVM

/**
 * Flags for a small server on a machine whose few cores it shares with the app (measured with bench:engine 2c, CPU
 * per message of the database child, README "Performance"):
 * - C1 only: in a tiered JVM the C2 compiler was more than half of the server's CPU in the bench's windows and
 *   still compiling minutes in, at the message rates the embedded server serves; the profiled tier-3 code C2 waits
 *   on is slower than C1's final code as well.
 * - Serial GC: a heap of a few hundred MB with short-lived garbage needs no concurrent collector threads.
 * - A fixed number of compiler threads, so a thread that would otherwise end when idle takes none of its CPU time
 *   out of the per-thread JIT accounting the benches print.
 * `_JAVA_OPTIONS` (read after these) overrides any of them, e.g. `_JAVA_OPTIONS=-XX:TieredStopAtLevel=4`.
 */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-XX:-UseDynamicNumberOfCompilerThreads'];

interface SpawnOptions {
  java: string;
  jvmFlags: string[];
  /** Runs when the JVM has exited; stop() resolves after it. */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => Promise<void>;
  classpath: string;
  serverArgs: string[];
  log: (line: string) => void;
  startTimeoutMs: number;
}

function tail(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `...${text.slice(-maxChars)}`;
}

async function spawnServer(options: SpawnOptions): Promise<EmbeddedMongo> {
  const { log } = options;
  const child = spawn(options.java, [...options.jvmFlags, '-cp', options.classpath, MAIN_CLASS, ...options.serverArgs], {
    // stdin stays an open pipe: the server exits when it reaches EOF, i.e. when we die.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Node's exit handlers must be synchronous; a signal is, and the JVM's shutdown hook flushes H2.
  const killOnExit = (): void => {
    child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  let exited: Promise<void> = Promise.resolve();
  child.once('exit', (code, signal) => {
    exited = options.onExit(code, signal);
  });
  // Without a listener a late 'error' (e.g. a failed kill) would crash the parent.
  child.on('error', (error) => log(`embedded-mongo: child process error: ${error.message}`));

  let stderrTail = '';
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail = tail(`${stderrTail}${line}\n`, STDERR_TAIL_CHARS);
    log(`embedded-mongo: ${line}`);
  });
  // A parent that dies closes the pipe; writes never happen, but an EPIPE must not crash us.
  child.stdin!.on('error', () => {});

  let port: number;
  try {
    port = await waitForListening(child, options.startTimeoutMs, () => stderrTail);
  } catch (error) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    throw error;
  }

  let stopping = false;
  child.once('exit', (code, signal) => {
    process.off('exit', killOnExit);
    if (!stopping) {
      log(`embedded-mongo: server exited unexpectedly (code ${code}, signal ${signal}); stderr:\n${stderrTail}`);
    }
  });
  // The server must not keep Node alive by itself (a forgotten stop() would hang the
  // process); the 'exit' handler and the stdin EOF still stop it when Node exits.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket | null)?.unref();

  log(`embedded-mongo: listening on 127.0.0.1:${port} (pid ${child.pid})`);
  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    pid: child.pid!,
    stop: () => {
      stopping = true;
      stopped ??= stopChild(child).then(() => exited).finally(() => process.off('exit', killOnExit));
      return stopped;
    },
  };
}

function waitForListening(child: ChildProcess, timeoutMs: number, stderrTail: () => string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      lines.off('line', onLine);
    };
    const fail = (message: string): void => {
      cleanup();
      const stderr = stderrTail().trim();
      reject(new Error(`${message}${stderr ? `\nserver stderr:\n${stderr}` : ' (no stderr output)'}`));
    };
    const onLine = (line: string): void => {
      const match = /^LISTENING \S+:(\d+)$/.exec(line.trim());
      if (!match) return;
      cleanup();
      resolvePromise(Number(match[1]));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(`embedded-mongo: server exited before listening (code ${code}, signal ${signal}).`);
    };
    const onError = (error: Error): void => {
      fail(`embedded-mongo: could not start the JVM: ${error.message}.`);
    };
    const timer = setTimeout(() => {
      fail(
        `embedded-mongo: server did not report its port within ${timeoutMs} ms ` +
          '(raise startTimeoutMs if the machine is slow).',
      );
    }, timeoutMs);
    lines.on('line', onLine);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** Ends stdin and sends SIGTERM (clean shutdown, H2 flushed); SIGKILL if it hangs. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.stdin?.end();
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolvePromise) => {
    timer = setTimeout(() => resolvePromise(true), STOP_GRACE_MS);
  });
  const hung = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (hung) {
    child.kill('SIGKILL');
    await exited;
  }
}
