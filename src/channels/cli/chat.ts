/**
 * `npm run chat`: talk to the bot from a terminal through the web simulator channel (POST /sim/api/messages).
 *
 *   npm run chat -- [--url http://127.0.0.1:3000] [--user cli-alice]
 *
 * Uses the server at --url when it answers GET /healthz (through its simulator channel); otherwise starts the whole
 * app in this process on a random port (embedded database unless MONGODB_URI is set) with the terminal chat's own
 * channel ('cli', see module.ts): turns go straight to the pipeline and pushes appear as they are sent. The app is
 * stopped on exit.
 * In the chat: a number answers a numbered choice, `/user <id>` switches user, `/quit` (or Ctrl-D) exits.
 */
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { OutboundMessage } from '../../engine/types.ts';
import type { RunningApp } from '../../main.ts';
import { CLI_CHANNEL, isCliChannel, type CliChannel } from './module.ts';

interface Choice {
  id: string;
  label: string;
}

interface Reply {
  text: string;
  /** The text to print when the choices are numbered (as here): it may ask for a number. */
  numbered?: string;
  choices?: Choice[];
  multi?: boolean;
}

const HEALTH_TIMEOUT_MS = 1_500;
const REQUEST_TIMEOUT_MS = 30_000;

const USAGE = `Usage: npm run chat -- [--url <base url>] [--user <id>]

  --url <base>   server to talk to (default http://127.0.0.1:\${PORT:-3000});
                 when nothing answers there, the app is started in this process
  --user <id>    user id to chat as (default cli-<your os user name>)

In the chat: type text or a choice number; /user <id> switches user, /quit exits.
`;

function out(text: string): void {
  process.stdout.write(text);
}

function defaultUserId(): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): fall back to the environment.
    name = process.env.USER ?? process.env.USERNAME;
  }
  const clean = (name ?? '').replace(/[^\w.-]/g, '');
  return `cli-${clean || 'user'}`;
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    // fetch wraps the socket error (ECONNREFUSED and the like) as its cause.
    const cause = (error as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? cause.message : '';
    return causeText ? `${error.message}: ${causeText}` : error.message;
  }
  return String(error);
}

async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function startInProcess(): Promise<RunningApp> {
  // Imported lazily: talking to a running server must not load (or need) the whole app.
  const { startRedcollar } = await import('../../main.ts');
  return startRedcollar({
    ...process.env,
    PORT: '0',
    // This chat talks through its own channel; keep the app's log lines out of the chat.
    CLI_ENABLED: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
}

function parseReplies(body: unknown): Reply[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const replies = (body as { replies?: unknown }).replies;
  if (!Array.isArray(replies)) return undefined;
  const result: Reply[] = [];
  for (const item of replies) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { text, numbered, choices, multi } = item as { text?: unknown; numbered?: unknown; choices?: unknown; multi?: unknown };
    if (typeof text !== 'string') return undefined;
    const parsed: Choice[] = Array.isArray(choices)
      ? choices
          .filter((c): c is { id?: unknown; label: string } => typeof c?.label === 'string')
          .map((c) => ({ id: String(c.id), label: c.label }))
      : [];
    result.push({ text, ...(typeof numbered === 'string' ? { numbered } : {}), choices: parsed, multi: multi === true });
  }
  return result;
}

const asReplies = (messages: OutboundMessage[]): Reply[] => messages.map((m) => ({ text: m.text, choices: m.choices ?? [], multi: m.multi === true }));

function renderReplies(replies: Reply[]): string {
  if (replies.length === 0) return '(no reply)\n';
  return replies
    .map((reply) => {
      const choices = reply.choices ?? [];
      let block = `${choices.length ? (reply.numbered ?? reply.text) : reply.text}\n`;
      choices.forEach((choice, i) => {
        block += `  ${i + 1}. ${choice.label}\n`;
      });
      if (reply.multi && choices.length > 0) block += '  (several allowed: separate numbers with commas, e.g. 1,3)\n';
      return block;
    })
    .join('\n');
}

/** One message to the bot; returns what to print, which is an explanation instead when the exchange failed. */
async function exchange(baseUrl: string, userId: string, text: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/sim/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ userId, text }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    return `! Cannot reach the server at ${baseUrl} (${errorText(error)}). Is it still running? Try again, or /quit.\n`;
  }
  const raw = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const detail =
      typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
        ? `: ${(body as { error: string }).error}`
        : '';
    if (res.status === 404) {
      return `! ${baseUrl} has no /sim/api/messages (404). Start that server with SIM_ENABLED=true, or run without --url.\n`;
    }
    return `! The server answered ${res.status}${detail}\n`;
  }
  const replies = parseReplies(body);
  if (!replies) return `! Unexpected answer from the server: ${raw.slice(0, 200)}\n`;
  return renderReplies(replies);
}

/** One turn through the in-process terminal channel. */
async function say(cli: CliChannel, text: string): Promise<string> {
  try {
    return renderReplies(asReplies((await cli.say(text)).replies));
  } catch (error) {
    return `! The bot could not answer (${errorText(error)}). Try again, or /quit.\n`;
  }
}

async function main(): Promise<number> {
  let values: { url?: string; user?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        user: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${errorText(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }

  let baseUrl = stripTrailingSlash(values.url ?? `http://127.0.0.1:${process.env.PORT || 3000}`);
  let userId = values.user?.trim() || defaultUserId();
  let app: RunningApp | undefined;
  let cli: CliChannel | undefined;

  if (!(await isHealthy(baseUrl))) {
    out(`No redcollar server answers at ${baseUrl}; starting one in this process…\n`);
    try {
      app = await startInProcess();
    } catch (error) {
      process.stderr.write(`Could not start redcollar in-process: ${errorText(error)}\n`);
      return 1;
    }
    baseUrl = stripTrailingSlash(app.url);
    const own = app.channels.get(CLI_CHANNEL);
    if (isCliChannel(own)) cli = own;
    out(`Started redcollar in-process at ${baseUrl} (stops when this chat ends).\n`);
  } else {
    out(`Connected to ${baseUrl}.\n`);
  }
  out(`Chatting as ${userId}. Try 菜单 (menu) or 帮助 (help); /user <id> switches user, /quit exits.\n\n`);

  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  rl.setPrompt(`${userId}> `);
  // Messages the bot sends on its own (in-process only) appear between prompts.
  const display = (messages: OutboundMessage[]): void => {
    out(`\n${renderReplies(asReplies(messages))}\n`);
    rl.prompt(true);
  };
  cli?.attach(userId, display);
  // Ctrl-C at the prompt ends the chat the same way /quit does, so an in-process app is stopped cleanly.
  rl.on('SIGINT', () => rl.close());
  const onSignal = (): void => rl.close();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  try {
    rl.prompt();
    // for-await handles one line at a time: the next message is sent only after the previous answer arrived.
    for await (const line of rl) {
      const text = line.trim();
      if (text === '/quit' || text === '/exit') break;
      if (text === '/user' || text.startsWith('/user ')) {
        const next = text.slice('/user'.length).trim();
        if (next) {
          userId = next;
          cli?.attach(userId, display);
          rl.setPrompt(`${userId}> `);
          out(`Now chatting as ${userId}.\n`);
        } else {
          out(`Chatting as ${userId}. Use /user <id> to switch.\n`);
        }
      } else if (text === '/help') {
        out('Type a message or a choice number. /user <id> switches user, /quit exits.\n');
      } else if (text) {
        out(`\n${cli ? await say(cli, text) : await exchange(baseUrl, userId, text)}\n`);
      }
      rl.prompt();
    }
  } finally {
    rl.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    if (app) {
      out('Stopping the in-process server…\n');
      await app.stop().catch((error: unknown) => process.stderr.write(`Stopping failed: ${errorText(error)}\n`));
    }
  }
  out('Bye.\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chat failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
