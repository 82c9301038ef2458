/**
 * An application class-data sharing archive (AppCDS) of the embedded server's classes, kept in the launcher's
 * cache: a JVM started with it maps the classes it loaded the last time instead of reading, parsing and verifying
 * them again, which measured 470 → 280 ms of CPU to the LISTENING line and a fifth less for the first commands.
 *
 * The archive is made by the first server of a build that stops cleanly (`-XX:ArchiveClassesAtExit`, into a file of
 * its own, renamed into place only after a clean exit, so a server killed while it dumps leaves nothing half-written
 * to be read). CDS wants jars on the class path, so the compiled classes are put in one first. Whatever fails here
 * (no `jar` tool, a JVM that will not dump) only means starting without the archive.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';

export interface ClassArchive {
  /** Where the compiled classes are on the class path: their jar, or the directory if no jar could be made. */
  classesEntry: string;
  /** JVM flags that use the archive, or make it at exit. */
  jvmFlags: string[];
  /** To call once the server has exited: moves a freshly dumped archive into place, or clears a partial one. */
  settle(code: number | null, signal: NodeJS.Signals | null): Promise<void>;
}

/** CDS reports an archive it cannot use (another JDK, say) as a warning on stdout; the JVM then runs without it. */
const QUIET = ['-Xlog:cds=off', '-Xlog:cds+dynamic=off'];
/** A server that makes the archive holds this long at most; a marker left by a crashed one is ignored after it. */
const MAKER_STALE_MS = 5 * 60_000;
/** A JVM exits with 128 + 15 after a SIGTERM it handled (its shutdown hooks and the dump ran). */
const CLEAN_EXIT_CODES = new Set([0, 143]);

const WITHOUT = (classesDir: string): ClassArchive => ({ classesEntry: classesDir, jvmFlags: [], settle: async () => {} });

/**
 * @param classesDir the compiled classes (its name already tells their sources and jars apart)
 * @param identity what else the archive depends on: the JVM executable and its flags
 */
export async function classArchive(classesDir: string, jarTool: string, identity: string): Promise<ClassArchive> {
  const jar = await jarOf(classesDir, jarTool);
  if (jar === undefined) return WITHOUT(classesDir);
  const archive = `${classesDir}-${identity}.jsa`;
  if (existsSync(archive)) {
    return { classesEntry: jar, jvmFlags: [`-XX:SharedArchiveFile=${archive}`, ...QUIET], settle: async () => {} };
  }
  // One maker at a time: every server started meanwhile would otherwise spend its stop dumping the same classes.
  const marker = `${archive}.making`;
  if (!(await claim(marker))) return { ...WITHOUT(classesDir), classesEntry: jar };
  const dump = `${archive}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  return {
    classesEntry: jar,
    jvmFlags: [`-XX:ArchiveClassesAtExit=${dump}`, ...QUIET],
    settle: async (code, signal) => {
      try {
        if (signal === null && code !== null && CLEAN_EXIT_CODES.has(code) && existsSync(dump)) await rename(dump, archive);
      } finally {
        await rm(dump, { force: true });
        await rm(marker, { force: true });
      }
    },
  };
}

async function claim(marker: string): Promise<boolean> {
  try {
    if (Date.now() - (await stat(marker)).mtimeMs < MAKER_STALE_MS) return false;
    await rm(marker, { force: true });
  } catch {
    // No marker: nobody is making the archive.
  }
  try {
    await (await open(marker, 'wx')).close();
    return true;
  } catch {
    return false;
  }
}

/** The classes as one jar beside their directory, made once; undefined if the JDK has no working `jar` tool. */
async function jarOf(classesDir: string, jarTool: string): Promise<string | undefined> {
  const jar = `${classesDir}.jar`;
  if (existsSync(jar)) return jar;
  const tmp = `${jar}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const made = await new Promise<boolean>((resolve) => {
    execFile(jarTool, ['--create', '--file', tmp, '-C', classesDir, '.'], { timeout: 60_000 }, (error) => resolve(!error));
  });
  if (!made) {
    await rm(tmp, { force: true });
    return undefined;
  }
  // Atomic: a concurrent start sees no jar or the whole of one.
  await rename(tmp, jar);
  return jar;
}
