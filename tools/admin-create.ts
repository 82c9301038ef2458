/**
 * `npm run admin:create -- --name <name> --region <code> [--levels junior,intermediate] [--username <login>]`
 * Creates an admin and prints their bearer token once (only its hash is stored); with `--username`, also a
 * console login with a temporary password, printed once and changed at the first login. The first admin of a
 * database must be a province or city committee: the others are created by it in the console. Uses the same
 * database as `npm start` (MONGODB_URI, or the embedded one under DATA_DIR — stop the server first, as the
 * embedded database is opened by one process at a time).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { normalizeUsername, USERNAME, USERNAME_RULE } from '../src/app/admin/accountDeps.ts';
import { temporaryPassword } from '../src/app/admin/accounts.ts';
import { createAdmin } from '../src/app/admin/tokens.ts';
import { ConflictError } from '../src/app/ports/certification.ts';
import { loadContent } from '../src/app/loadContent.ts';
import { loadConfig } from '../src/config.ts';
import { mayAct, tierOf } from '../src/domain/certification/tier.ts';
import { findRegion } from '../src/domain/regions/regions.ts';
import { createLogger } from '../src/infra/logger.ts';
import { createArgon2Hasher } from '../src/infra/passwordHasher.ts';
import { ROOT } from '../src/root.ts';
import { createMongoAdminRepository } from '../src/store/mongo/adminRepository.ts';
import { openDatabase } from '../src/store/mongo/openDatabase.ts';

const USAGE = 'usage: npm run admin:create -- --name <name> --region <region code, e.g. 320100> [--levels junior,intermediate] [--username <console login>]';

/** A refusal found once the database is open: thrown so that `finally` closes the database before the exit. */
class UsageError extends Error {}

function fail(message: string): never {
  process.stderr.write(`admin:create: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const envFile = resolve(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  let args;
  try {
    args = parseArgs({ options: { name: { type: 'string' }, region: { type: 'string' }, levels: { type: 'string' }, username: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  const name = args.name?.trim();
  if (!name || name.length > 60) fail('--name is required (1-60 characters)');
  const region = args.region?.trim() ?? '';
  if (!/^\d{6}(\d{3})?$/.test(region)) fail('--region must be a 6- or 9-digit region code, e.g. 320000 (Jiangsu) or 320100 (Nanjing)');

  const username = args.username === undefined ? undefined : normalizeUsername(args.username);
  if (username !== undefined && !USERNAME.test(username)) fail(`--username: ${USERNAME_RULE}`);

  const config = loadConfig(process.env);
  const content = loadContent({ root: ROOT, defaultLocale: config.DEFAULT_LOCALE });
  const node = findRegion(content.regions, region);
  if (!node) fail(`region ${region} is not in policies/regions.yaml`);
  const policy = content.policies.forRegion(region);
  const levels = (args.levels ?? '').split(',').map((l) => l.trim()).filter(Boolean);
  if (levels.length && !policy) fail(`no certification policy covers region ${region}, so --levels cannot be checked`);
  const unknown = levels.filter((l) => !policy!.levels.some((x) => x.id === l));
  if (unknown.length) fail(`unknown level(s) ${unknown.join(', ')}; ${policy!.id} has ${policy!.levels.map((l) => l.id).join(', ')}`);

  const logger = createLogger('warn');
  const db = await openDatabase({ uri: config.MONGODB_URI, dataDir: resolve(ROOT, config.DATA_DIR), backend: config.EMBEDDED_MONGO_BACKEND, logger });
  try {
    const repo = createMongoAdminRepository(db.connection);
    await Promise.all(Object.values(db.connection.models).map((m) => m.init()));
    const tier = tierOf(region);
    if ((await repo.count()) === 0 && tier !== 'province' && tier !== 'city') {
      throw new UsageError(`the first admin must be a province or city committee (region ${region} ${node.name['zh-CN']} is a ${tier}); create that first, then it creates county and street accounts in the console`);
    }
    const password = username === undefined ? undefined : temporaryPassword();
    const passwordHash = password === undefined ? undefined : await createArgon2Hasher().hash(password);
    const { admin, token } = await createAdmin(repo, { name, regionCode: region, levels, ...(username !== undefined ? { username, passwordHash: passwordHash! } : {}) }, new Date()).catch((err: unknown) => {
      if (err instanceof ConflictError) throw new UsageError(`the username ${username} is taken; choose another`);
      throw err;
    });
    // Which levels the tier acts on, so a province admin created for 中级 work learns at once that it only reads them.
    const acts = policy ? policy.levels.filter((l) => mayAct(l, region, region).ok).map((l) => l.name['zh-CN']) : [];
    process.stdout.write(
      `Admin created: ${admin.name} (id ${admin.id}), region ${region} ${node.name['zh-CN']}, levels ${levels.length ? levels.join(', ') : 'all'}\n` +
        `Tier ${tier}: acts on ${acts.length ? acts.join(', ') : 'no level'} (per policies' managedBy); reads everything in the region\n` +
        (password !== undefined ? `Console login: ${username}\nTemporary password (shown once; must be changed at the first login):\n${password}\n` : '') +
        `Token (shown once; store it safely):\n${token}\n`,
    );
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) fail(err.message);
    process.stderr.write(`admin:create: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
