/**
 * `npm run console:recount`: recomputes the console dashboard's counters (collection `dashboard_counters`) from the
 * applications, certificates and annual records, and replaces them, with the 红领津贴 report's entries (collection
 * `allowance_entries`) and their counters. The counters move with every write the app
 * makes; this is for a database whose records were changed outside the app, or a write that crashed between the
 * record and its counters. Uses the same database as `npm start` (MONGODB_URI, or the embedded one under DATA_DIR
 * — stop the server first, as the embedded database is opened by one process at a time).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/infra/logger.ts';
import { ROOT } from '../src/root.ts';
import { loadContent } from '../src/app/loadContent.ts';
import { recountAllowance } from '../src/store/mongo/allowanceEntries.ts';
import { recountDashboard } from '../src/store/mongo/dashboardCounters.ts';
import { openDatabase } from '../src/store/mongo/openDatabase.ts';

async function main(): Promise<void> {
  const envFile = resolve(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadConfig(process.env);
  const logger = createLogger('warn');
  const db = await openDatabase({ uri: config.MONGODB_URI, dataDir: resolve(ROOT, config.DATA_DIR), backend: config.EMBEDDED_MONGO_BACKEND, logger });
  try {
    const t = performance.now();
    const r = await recountDashboard(db.connection);
    process.stdout.write(`console:recount: ${r.counters} counters from ${r.applications} applications, ${r.certificates} certificates and ${r.annual} annual records in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const t2 = performance.now();
    const policies = loadContent({ root: ROOT, defaultLocale: 'zh-CN' }).policies;
    const a = await recountAllowance(db.connection, (id) => policies.get(id) ?? undefined);
    process.stdout.write(`console:recount: ${a.entries} allowance entries of ${a.workers} certificate holders in ${((performance.now() - t2) / 1000).toFixed(1)} s\n`);
  } finally {
    await db.close();
  }
}

await main();
