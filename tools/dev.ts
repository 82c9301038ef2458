/**
 * `npm run dev`: the app with restart on change (tsx watch) and the console from Vite's dev server with hot
 * reload, which forwards /admin/api to the app. Open the URL Vite prints (…/console/). Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'vite';
import { CONSOLE_DIR, ROOT } from './console-build.ts';

const app = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'watch', 'src/main.ts'], { cwd: ROOT, stdio: 'inherit' });
const vite = await createServer({ configFile: join(CONSOLE_DIR, 'vite.config.ts'), server: { port: Number(process.env.CONSOLE_DEV_PORT ?? 5173) } });
await vite.listen();
vite.printUrls();
console.log(`console dev server: hot reload on; /admin/api goes to the app on port ${process.env.PORT ?? 3000}`);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  app.kill('SIGTERM');
  await vite.close();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
app.on('exit', (code) => void stop(code ?? 0));
