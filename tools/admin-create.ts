/**
 * `npm run admin:create -- --name <name> --region <code> [--levels junior,intermediate]`
 * Creates an admin and prints their bearer token once; only its hash is stored. Uses the same database as
 * `npm start` (MONGODB_URI, or the embedded one under DATA_DIR — stop the server first, as the embedded
 * database is opened by one process at a time).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAdmin } from '../src/app/admin/tokens.ts';
import { loadContent } from '../src/app/loadContent.ts';
import { loadConfig } from '../src/config.ts';
import { mayAct, tierOf } from '../src/domain/certification/tier.ts';
import { findRegion } from '../src/domain/regions/regions.ts';
import { createLogger } from '../src/infra/logger.ts';
import { ROOT } from '../src/main.ts';
import { createMongoAdminRepository } from '../src/store/mongo/adminRepository.ts';
import { openDatabase } from '../src/store/mongo/openDatabase.ts';

const USAGE = 'usage: npm run admin:create -- --name <name> --region <region code, e.g. 320100> [--levels junior,intermediate]';

function fail(message: string): never {
  process.stderr.write(`admin:create: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const envFile = resolve(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  let args;
  try {
    args = parseArgs({ options: { name: { type: 'string' }, region: { type: 'string' }, levels: { type: 'string' } }, strict: true }).values;
  } catch (err) {
    fail((err as Error).message);
  }
  const name = args.name?.trim();
  if (!name || name.length > 60) fail('--name is required (1-60 characters)');
  const region = args.region?.trim() ?? '';
  if (!/^\d{6}(\d{3})?$/.test(region)) fail('--region must be a 6- or 9-digit region code, e.g. 320000 (Jiangsu) or 320100 (Nanjing)');

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
    const { admin, token } = await createAdmin(repo, { name, regionCode: region, levels }, new Date());
    // Which levels the tier acts on, so a province admin created for 中级 work learns at once that it only reads them.
    const acts = policy ? policy.levels.filter((l) => mayAct(l, region, region).ok).map((l) => l.name['zh-CN']) : [];
    process.stdout.write(
      `Admin created: ${admin.name} (id ${admin.id}), region ${region} ${node.name['zh-CN']}, levels ${levels.length ? levels.join(', ') : 'all'}\n` +
        `Tier ${tierOf(region)}: acts on ${acts.length ? acts.join(', ') : 'no level'} (per policies' managedBy); reads everything in the region\n` +
        `Token (shown once; store it safely):\n${token}\n`,
    );
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`admin:create: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
