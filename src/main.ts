import { once } from 'node:events';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './root.ts';
import type { Connection } from 'mongoose';
import { ACTION_NAMES, createActions } from './app/actions/registry.ts';
import { createInboundHandler } from './app/handleInbound.ts';
import { createFunnelRecorder } from './app/funnels/recorder.ts';
import { createMongoFunnelCounterStore } from './store/mongo/funnelCounters.ts';
import { createConsoleService } from './app/console/consoleService.ts';
import { createMongoConsoleReads } from './store/mongo/consoleReads.ts';
import { createMongoDashboardCounterStore } from './store/mongo/dashboardCounters.ts';
import { keepingAllowance } from './app/console/allowanceUpkeep.ts';
import { createMongoAllowanceStore, recountAllowanceIfMissing } from './store/mongo/allowanceEntries.ts';
import { countingAnnualRecords, countingApplications, countingCertificates } from './app/console/dashboardCounts.ts';
import { createMongoSavedFilterStore } from './store/mongo/savedFilters.ts';
import { housekeepingJob } from './app/housekeeping/expireConversations.ts';
import { loadContent } from './app/loadContent.ts';
import { systemClock, type Clock } from './app/ports/clock.ts';
import type { JobDefinition, Scheduler } from './app/ports/scheduler.ts';
import { createAdminService } from './app/certification/adminService.ts';
import type { CertificationDeps } from './app/certification/deps.ts';
import { noticeEndedJob, noticeSweepJob } from './app/certification/noticeEnded.ts';
import { certificateSweepJob } from './app/certification/certificateSweep.ts';
import { certificateNoticeSweepJob } from './app/certification/certificateNotices.ts';
import { verifyCertificate } from './app/certification/verifyCertificate.ts';
import { createDemoClock, moveDemoClock, type DemoClock } from './app/demo/demoClock.ts';
import { senderByChannel, type Sender } from './app/ports/sender.ts';
import { mediaSourceByScheme, type MediaSource } from './app/ports/media.ts';
import { archiveEvidenceJob } from './app/certification/archiveEvidence.ts';
import { createMongoMediaStore } from './store/mongo/mediaStore.ts';
import { applicationStatus } from './app/certification/applicationStatus.ts';
import { reachByChannel, type Reach } from './app/ports/reach.ts';
import { CHANNELS } from './channels/index.ts';
import { stopChannels, type ChannelContext, type ChannelModule } from './channels/module.ts';
import { startChannelsThenJobs } from './channels/startup.ts';
import { createMongoChannelStores } from './store/mongo/channelStores.ts';
import { adminRouter } from './http/admin/routes.ts';
import { verifyRouter } from './http/verify.ts';
import { consoleRouter } from './http/console.ts';
import { createMongoAdminRepository } from './store/mongo/adminRepository.ts';
import { createMongoSessionStore } from './store/mongo/adminSessions.ts';
import { createMongoLoginThrottle } from './store/mongo/loginThrottle.ts';
import { createAccountService } from './app/admin/accounts.ts';
import { accountSettings } from './app/admin/accountDeps.ts';
import { createArgon2Hasher } from './infra/passwordHasher.ts';
import { createMongoAnnualRecordRepository } from './store/mongo/annualRecordRepository.ts';
import { createMongoApplicationRepository } from './store/mongo/applicationRepository.ts';
import { createMongoAuditLog } from './store/mongo/auditLog.ts';
import { createMongoCertificateRepository } from './store/mongo/certificateRepository.ts';
import { createMongoOrganizationRepository } from './store/mongo/organizationRepository.ts';
import { ConfigError, loadConfig } from './config.ts';
import { chinaDate } from './domain/dates/parseDate.ts';
import { createHttpApp } from './http/server.ts';
import { createMetrics } from './http/metrics.ts';
import { createLogger, type Logger } from './infra/logger.ts';
import { createPiiCipher } from './infra/piiCipher.ts';
import { createShutdown, startupBanner } from './infra/shutdown.ts';
import { SIM_CHANNEL } from './channels/sim/routes.ts';
import { resolvePiiKey } from './infra/piiKeyFile.ts';
import { createAgendaScheduler } from './scheduler/agenda/agendaScheduler.ts';
import { openDatabase, StartupError } from './store/mongo/openDatabase.ts';
import { createMongoConversationStore } from './store/mongo/conversationStore.ts';
import { createMongoInboundLog } from './store/mongo/inboundLog.ts';
import { createMongoWorkerRepository } from './store/mongo/workerRepository.ts';
import { createMongoReplayGuard } from './store/mongo/replayGuard.ts';
import { runStartupMigrations } from './store/mongo/startupMigrations.ts';
import { rekeyLegacySessionReminders } from './store/mongo/legacySessionReminders.ts';
import { createPolls } from './app/polls/createPolls.ts';
import { createMongoPollStore } from './store/mongo/pollStore.ts';
import { pollPageRouter } from './http/polls/pollPage.ts';
import { sceneQrOf } from './channels/wechat-oa/sceneQr.ts';
import { WECHAT_OA_CHANNEL } from './channels/wechat-oa/inbound.ts';
import { WECHAT_MP_CHANNEL } from './channels/wechat-mp/outbound.ts';
import { createHmac } from 'node:crypto';
import { createMongoTrainingRepository } from './store/mongo/trainingRepository.ts';
import { createMongoReminderStore } from './store/mongo/reminderStore.ts';
import type { TrainingDeps } from './app/training/deps.ts';
import { createTrainingAdmin } from './app/training/adminTraining.ts';
import { offerSweepJob } from './app/training/offerSweep.ts';
import { examStillDue, restoreSessionReminders, sessionStartStillDue } from './app/training/sessionReminders.ts';
import type { ReminderDeps } from './app/reminders/deps.ts';
import type { BroadcastDeps } from './app/broadcasts/deps.ts';
import { followEnrolment } from './app/broadcasts/answerFollows.ts';
import { broadcastJobs } from './app/broadcasts/sendRun.ts';
import { broadcastTickJob } from './app/broadcasts/tick.ts';
import { createBroadcastReplies, mayBeBroadcastAnswer } from './app/broadcasts/replies.ts';
import { openNotices } from './app/broadcasts/openNotices.ts';
import { mayBePollMessage } from './app/polls/respondentChat.ts';
import { createPollOutsideTurn } from './app/polls/outsideTurn.ts';
import { createBackToFlow } from './app/backToFlow.ts';
import { createMongoBroadcastStore } from './store/mongo/broadcastStore.ts';
import { createMongoDeliveryStore } from './store/mongo/deliveryStore.ts';
import { createMongoAudienceSource, createMongoTestTargets } from './store/mongo/audienceSource.ts';
import { reminderSweepJob } from './app/reminders/sweep.ts';
import { factChecks, factSweepJobs } from './app/reminders/factReminders.ts';
import { createRegionSettingsView } from './app/reminders/regionSettings.ts';
import { createReminderSettingsAdmin } from './app/reminders/adminSettings.ts';
import { createMongoReminderSubjects } from './store/mongo/reminderSubjects.ts';
import { rotationList } from './app/reminders/rotationList.ts';
import { createMongoReminderSettingsStore } from './store/mongo/reminderSettingsStore.ts';
import { returnedApplicationReminders, returnedStillDue } from './app/reminders/returnedApplication.ts';

export { StartupError };

export { ROOT };

export interface RunningApp {
  url: string;
  logger: Logger;
  /** The app's scheduler, for operations and tests that run a job now. */
  scheduler: Scheduler;
  /** The enabled channels, by id (the terminal chat attaches to its own). */
  channels: ReadonlyMap<string, ChannelModule>;
  /** "Can I reach this user now, and how", on any enabled channel. */
  reach: ReturnType<typeof reachByChannel>;
  /** How many admin accounts exist, read at start (the banner says how to make the first one only when none does). */
  adminCount: number;
  stop(): Promise<void>;
}

/**
 * Wires the app: configuration → content (flows, templates, regions) → database → stores → scheduler →
 * inbound pipeline → HTTP. This is the only place that constructs adapters. Resources opened so far are
 * closed again if a later step fails, so a failed start leaves no child process or open port behind.
 */
export async function startRedcollar(
  env: Record<string, string | undefined> = process.env,
  /** `root`: where flows/, templates/ and policies/ are read from (tests point it at a copy). */
  opts: { clock?: Clock; root?: string; logDestination?: import('pino').DestinationStream } = {},
): Promise<RunningApp> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL, opts.logDestination);
  // Demo mode moves the app's time forward on request (README "Demo mode"); config refuses it on a real database.
  const demoClock: DemoClock | undefined = config.DEMO_MODE ? createDemoClock(opts.clock ?? systemClock) : undefined;
  const clock = demoClock ?? opts.clock ?? systemClock;
  // Console sessions, login throttling and tokens time a person at the keyboard, never the demo's moved time.
  const realClock = opts.clock ?? systemClock;
  if (demoClock) logger.warn({}, 'DEMO_MODE is on: admins can move the clock forward (POST /admin/api/demo/clock)');
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err) => logger.error({ err }, 'error while stopping'));
    cleanups.length = 0;
  };

  try {
    const content = loadContent({ root: opts.root ?? ROOT, defaultLocale: config.DEFAULT_LOCALE, actions: ACTION_NAMES });
    for (const f of content.findings) (f.severity === 'error' ? logger.error : logger.warn).call(logger, { file: f.file, step: f.step }, f.message);
    const errors = content.findings.filter((f) => f.severity === 'error');
    if (errors.length) {
      throw new StartupError(`flows have ${errors.length} error(s); run \`npm run lint:flows\` for details:\n${errors.map((e) => `  ${e.file}${e.step ? ` step \`${e.step}\`` : ''}: ${e.message}`).join('\n')}`);
    }

    const dataDir = resolve(ROOT, config.DATA_DIR);
    const db = await openDatabase({ uri: config.MONGODB_URI, dataDir, backend: config.EMBEDDED_MONGO_BACKEND, logger });
    cleanups.push(() => db.close());
    const connection: Connection = db.connection;

    const pii = resolvePiiKey(config.PII_KEY, dataDir);
    if (pii.generated) logger.warn({ file: resolve(dataDir, 'pii.key') }, 'generated a new PII key; back it up — encrypted ID and phone numbers cannot be read without it');
    const cipher = createPiiCipher(pii.key);

    const conversations = createMongoConversationStore(connection, cipher);
    // Stopped (its last counts written) after the server and channels, before the database closes.
    const funnelCounters = createMongoFunnelCounterStore(connection);
    const funnel = createFunnelRecorder({ store: funnelCounters, sessionTimeoutMs: config.SESSION_TIMEOUT_MINUTES * 60_000, flushEveryMs: 5_000, logger });
    cleanups.push(() => funnel.stop());
    const inbox = createMongoInboundLog(connection, config.DEDUPE_TTL_HOURS * 3600);
    const workers = createMongoWorkerRepository(connection, cipher);
    const organizations = createMongoOrganizationRepository(connection);
    const channelStores = createMongoChannelStores(connection, cipher, clock);
    const admins = createMongoAdminRepository(connection);
    const adminSessions = createMongoSessionStore(connection);
    const loginThrottle = createMongoLoginThrottle(connection);
    // The (timestamp, nonce) pairs of WeChat pushes already used, shared by every instance.
    const replayGuard = createMongoReplayGuard(connection);
    // The dashboard's figures move with every write through these (src/app/console/dashboardCounts.ts).
    const dashboardCounters = createMongoDashboardCounterStore(connection);
    const certificateRepository = countingCertificates(createMongoCertificateRepository(connection), dashboardCounters);
    // The 红领津贴 entries move with every certificate and annual-record write too (src/app/console/allowanceUpkeep.ts).
    const allowance = createMongoAllowanceStore(connection, dashboardCounters);
    const allowanceKept = keepingAllowance({ certificates: certificateRepository, annual: countingAnnualRecords(createMongoAnnualRecordRepository(connection), certificateRepository, dashboardCounters) }, allowance, (id) => content.policies.get(id) ?? undefined);
    const stores = {
      applications: countingApplications(createMongoApplicationRepository(connection), dashboardCounters),
      certificates: allowanceKept.certificates,
      annual: allowanceKept.annual,
      admins,
      audit: createMongoAuditLog(connection),
      media: createMongoMediaStore(connection, cipher),
    };
    const trainingStore = createMongoTrainingRepository(connection);
    const reminderStore = createMongoReminderStore(connection);
    const reminderSubjects = createMongoReminderSubjects(connection);
    const reminderSettingsStore = createMongoReminderSettingsStore(connection);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    await runStartupMigrations(connection, logger);
    if (await recountAllowanceIfMissing(connection, (id) => content.policies.get(id) ?? undefined)) logger.info('computed the allowance report entries from the records (kept up on write from now on)');
    await reminderSubjects.init();

    const scheduler: Scheduler = createAgendaScheduler({ db: connection.db!, logger, clock });
    // Filled in below from the enabled channels.
    const senders: Record<string, Sender> = {};
    const mediaSources: Record<string, MediaSource> = {};
    const reaches: Record<string, Reach> = {};
    const channels = new Map<string, ChannelModule>();
    const certification: CertificationDeps = {
      ...stores,
      policies: content.policies,
      allowance,
      organizations,
      regions: content.regions,
      workers,
      // Looked up at send time: channels created further down add their senders to this map.
      sender: senderByChannel(senders),
      mediaSource: mediaSourceByScheme(mediaSources),
      scheduler,
      clock,
      translator: content.translator,
      logger,
      publicBaseUrl: config.publicBaseUrl,
    };
    const accounts = createAccountService({
      admins,
      sessions: adminSessions,
      throttle: loginThrottle,
      hasher: createArgon2Hasher(),
      audit: stores.audit,
      clock: realClock,
      regions: content.regions,
      policies: content.policies,
      logger,
      settings: accountSettings(config),
    });
    certification.training = trainingStore;
    // Check-in codes are HMACs under a key derived from the PII key: no new secret to configure or leak.
    const regionSettings = createRegionSettingsView({ store: reminderSettingsStore, policies: content.policies, clock });
    const training: TrainingDeps = { ...certification, training: trainingStore, reminders: reminderStore, regionSettings, checkinSecret: createHmac('sha256', pii.key).update('redcollar:training-checkin').digest() };
    const legacySessions = await rekeyLegacySessionReminders(connection);
    if (legacySessions.length) logger.info({ sessions: legacySessions.length, seats: await restoreSessionReminders(training, legacySessions) }, "keyed the sessions' reminders by worker and scheduled those of every seat holder again");
    const reach = reachByChannel(reaches);
    const reminderDeps = {
      reminders: reminderStore,
      policies: content.policies,
      workers,
      sender: certification.sender,
      reach,
      scheduler,
      translator: content.translator,
      clock,
      logger,
      regionSettings,
      checks: { sessionStart: sessionStartStillDue(training), returnedApplication: returnedStillDue(stores.applications) } as ReminderDeps['checks'],
    };
    const factDeps = { ...reminderDeps, subjects: reminderSubjects, certificates: stores.certificates, annual: stores.annual, training: trainingStore };
    Object.assign(reminderDeps.checks, factChecks(factDeps), { examDate: examStillDue(training) });
    certification.onApplicationChanged = returnedApplicationReminders(reminderDeps);
    const actions = createActions({ workers, organizations, regions: content.regions, certification, training });
    // The reminders' policies, sender, reach, scheduler, translator, clock, logger and mutes (a mute of everything).
    const broadcasts: BroadcastDeps = {
      ...reminderDeps,
      broadcasts: createMongoBroadcastStore(connection),
      deliveries: createMongoDeliveryStore(connection),
      audience: createMongoAudienceSource(connection),
      testTargets: createMongoTestTargets(connection),
      training,
      audit: stores.audit,
      conversations,
      settings: {
        approvalThreshold: config.BROADCAST_APPROVAL_THRESHOLD,
        batchSize: config.BROADCAST_BATCH_SIZE,
        concurrency: config.BROADCAST_CONCURRENCY,
        leaseMs: config.BROADCAST_LEASE_SECONDS * 1000,
        maxAttempts: 5,
      },
    };
    // A notice's 报名 / 不参加 counters move with the enrolments it led to, not only when the worker replies.
    training.onEnrolmentChange = followEnrolment(broadcasts);
    await Promise.all(Object.values(connection.models).map((m) => m.init()));
    const backToFlow = createBackToFlow({
      flows: content.flows,
      translator: content.translator,
      regions: content.regions,
      defaultLocale: config.DEFAULT_LOCALE,
      sessionTimeoutMs: config.SESSION_TIMEOUT_MINUTES * 60_000,
      capabilities: (channel) => channels.get(channel)?.capabilities ?? { images: false },
    });
    const broadcastReply = createBroadcastReplies(broadcasts, { backToFlow });
    const polls = createPolls({ polls: createMongoPollStore(connection), sealer: cipher, certification, wechatQr: () => sceneQrOf(channels.get(WECHAT_OA_CHANNEL)), miniProgram: () => channels.has(WECHAT_MP_CHANNEL), backToFlow });

    const jobs: JobDefinition<unknown>[] = [
      noticeEndedJob(certification),
      noticeSweepJob(certification),
      certificateSweepJob(certification),
      certificateNoticeSweepJob(certification),
      archiveEvidenceJob(certification),
      ...polls.jobs,
      offerSweepJob(training),
      reminderSweepJob(reminderDeps),
      ...factSweepJobs(factDeps),
      ...(broadcastJobs(broadcasts) as JobDefinition<unknown>[]),
      broadcastTickJob(broadcasts, `${config.BROADCAST_TICK_SECONDS} seconds`) as JobDefinition<unknown>,
      housekeepingJob({
        conversations,
        inbox,
        clock,
        logger,
        retentionMs: config.CONVERSATION_RETENTION_DAYS * 86_400_000,
        dedupeTtlMs: config.DEDUPE_TTL_HOURS * 3_600_000,
        funnel,
        replayGuard,
        channelHousekeeping: async (now) => {
          for (const channel of channels.values()) await channel.housekeeping?.(now);
        },
      }),
    ];
    for (const job of jobs) scheduler.define(job);

    const { registry, turnMetrics } = createMetrics();
    const handleInbound = createInboundHandler({
      flows: content.flows,
      translator: content.translator,
      regions: content.regions,
      conversations,
      actions,
      clock,
      metrics: turnMetrics,
      funnel,
      logger,
      settings: {
        defaultLocale: config.DEFAULT_LOCALE,
        sessionTimeoutMs: config.SESSION_TIMEOUT_MINUTES * 60_000,
        maxMessageLength: config.MAX_MESSAGE_LENGTH,
        maxRunningTurns: config.MAX_RUNNING_TURNS,
        runningTurnsLimit: config.RUNNING_TURNS_LIMIT,
        maxWaitingTurns: config.MAX_WAITING_TURNS,
        maxRunningOutsideTurns: config.MAX_RUNNING_OUTSIDE_TURNS,
      },
      capabilities: (channel) => channels.get(channel)?.capabilities ?? { images: false },
      onLocaleChange: (channel, userId, locale) => workers.setLocale(channel, userId, locale),
      // A poll session first (it owns its numbers), then an answer to a broadcast.
      intercept: async (msg, state, now) => (await polls.chat(msg, state, now)) ?? broadcastReply(msg, state, now),
      mayIntercept: (msg, state) => mayBePollMessage(msg, state) || mayBeBroadcastAnswer(msg, state),
      outsideTurn: createPollOutsideTurn(polls.chat, conversations, config.DEFAULT_LOCALE),
    });

    const channelContext: ChannelContext = {
      handleInbound,
      logger,
      clock,
      stores: channelStores,
      replayGuard,
      workers,
      regions: content.regions,
      translator: content.translator,
      status: applicationStatus(certification),
      defaultLocale: config.DEFAULT_LOCALE,
      notices: openNotices(broadcasts),
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    };
    const created: ChannelModule[] = [];
    for (const definition of CHANNELS) {
      const channel = definition.create(channelContext, config);
      if (channel) created.push(channel);
    }
    const started: ChannelModule[] = [];
    cleanups.push(() => stopChannels(started, config.SHUTDOWN_TIMEOUT_SECONDS * 1000, logger));
    // Channels first, jobs after them (startup.ts says why; test/app/broadcasts/startOrder.int.test.ts holds it).
    await startChannelsThenJobs({
      created,
      registry: { channels, senders, mediaSources, reaches },
      started,
      beforeStart: () => channelStores.ready(),
      startJobs: async () => {
        logger.info({ channels: [...channels.keys()] }, 'channels enabled');
        await scheduler.start();
      },
    });
    cleanups.push(() => scheduler.stop(config.SHUTDOWN_TIMEOUT_SECONDS * 1000));
    for (const job of jobs) if (job.options?.every) await scheduler.every(job.name, job.options.every);

    const app = createHttpApp({
      logger,
      metrics: registry,
      maxBodyKb: config.MAX_BODY_KB,
      trustProxy: config.TRUST_PROXY,
      routers: [
        ...[...channels.values()].flatMap((channel) => (channel.routes ? [channel.routes] : [])),
        adminRouter({
          accounts,
          service: createAdminService(certification),
          polls: polls.admin,
          console: createConsoleService({ ...certification, reads: createMongoConsoleReads(connection, dashboardCounters), savedFilters: createMongoSavedFilterStore(connection), funnelCounters, flushFunnel: () => funnel.flush(), flows: content.flows }, { aggregatesTtlMs: config.CONSOLE_AGGREGATES_TTL_SECONDS * 1000 }),
          training: { training: createTrainingAdmin(training), reminderSummary: (prefix, range) => reminderStore.summary(prefix, range), reminderSettings: createReminderSettingsAdmin({ store: reminderSettingsStore, view: regionSettings, policies: content.policies, audit: stores.audit, clock }), rotation: rotationList({ subjects: reminderSubjects, workers, reminders: reminderStore, regionSettings, clock }) },
          broadcasts,
          ...(demoClock ? { demo: { moveClock: moveDemoClock({ clock: demoClock, scheduler, audit: stores.audit, logger }) } } : {}),
        }),
        pollPageRouter(polls.deps, logger),
        consoleRouter(resolve(ROOT, 'console', 'dist')),
        verifyRouter({ verify: (number) => verifyCertificate(certification)(number, chinaDate(clock.now())), publicBaseUrl: config.publicBaseUrl }),
      ],
      ready: async () => {
        if (connection.readyState !== 1 || !scheduler.isReady()) return false;
        await connection.db!.command({ ping: 1 });
        return true;
      },
    });
    const server = app.listen(config.PORT, config.HOST);
    server.requestTimeout = 30_000;
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))]).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EADDRINUSE' ? new StartupError(`port ${config.PORT} on ${config.HOST} is in use; stop the other process or set PORT to a free port`) : err;
    });
    cleanups.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeIdleConnections();
        }),
    );
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.HOST}:${port}`;
    logger.info({ url, simulator: config.SIM_ENABLED ? `${url}/sim` : 'disabled' }, 'redcollar is up');
    return { url, logger, scheduler, channels, reach, adminCount: await admins.count(), stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** `npm start`: run until a signal; on a crash, stop the embedded database too (never leave an orphan). Exported for test/support/startOnSignal.ts. */
export async function run(): Promise<void> {
  let app: RunningApp | undefined;
  // The default until the configuration is read (a signal during start-up).
  let limitMs = 30_000;
  const shutdown = createShutdown({
    stop: async () => app?.stop(),
    exit: (code) => process.exit(code),
    limitMs: () => limitMs,
    warn: (message) => process.stderr.write(`redcollar: ${message}\n`),
  });
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  process.on('uncaughtException', (err) => {
    app?.logger.fatal({ err }, 'uncaught exception; shutting down');
    shutdown(1);
  });
  process.on('unhandledRejection', (err) => {
    app?.logger.fatal({ err }, 'unhandled rejection; shutting down');
    shutdown(1);
  });
  try {
    // A .env file beside package.json is read when present; variables already in the environment win.
    const envFile = resolve(ROOT, '.env');
    if (existsSync(envFile)) process.loadEnvFile(envFile);
    app = await startRedcollar(process.env);
    // startRedcollar accepted this environment, so reading it again cannot fail.
    limitMs = loadConfig(process.env).SHUTDOWN_LIMIT_SECONDS * 1000;
    process.stdout.write(startupBanner(app.url, app.channels.has(SIM_CHANNEL), app.adminCount > 0));
  } catch (err) {
    const message = err instanceof ConfigError || err instanceof StartupError ? err.message : (err as Error).stack ?? String(err);
    process.stderr.write(`redcollar could not start: ${message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) void run();
