import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { AgiScript, DialplanVariable } from '@switchboard/contract';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  type AgiScriptHandler,
  allowListCheck,
  createFastAgiServer,
  type FastAgiServer,
} from './agi/index.js';
import { ensureAdminToken } from './api/auth.js';
import { healthReport } from './api/health.js';
import { metricsAccess } from './api/metrics-access.js';
import { buildAdminApi } from './api/server.js';
import type { ApiLimits } from './api/types.js';
import { CdrReconciler } from './cdr/reconciler.js';
import { ConfigError, type ServerConfig } from './config.js';
import { EmptyStoreError, RoutingService } from './config-service/routing-service.js';
import type { HandlerDeps } from './handlers/deps.js';
import { createHangupHandler } from './handlers/hangup.js';
import { createInboundHandler } from './handlers/inbound.js';
import { createMessageHandler } from './handlers/message.js';
import { createNextHandler } from './handlers/next.js';
import { createOutboundHandler } from './handlers/outbound.js';
import { OutboundLimiter, type OutboundLimits } from './limits/outbound-limiter.js';
import { startRecordingRetention } from './media/retention.js';
import {
  createMessagingService,
  type MessagingService,
  statusCallbackUrl,
} from './messaging/messaging-service.js';
import { OutboxMonitor } from './messaging/outbox-monitor.js';
import { takePhoneText } from './messaging/phone-texts.js';
import { createMetrics, type Metrics } from './metrics.js';
import { amiVoicemail } from './pbx/voicemail-actions.js';
import type { RoutingConfigInput } from './routing/model.js';
import { CallLogWriter } from './store/call-log-writer.js';
import { openStore, type StoreBackend } from './store/open-store.js';
import { StoreMonitor } from './store/store-monitor.js';
import type { SwitchboardStore } from './store/types.js';
import {
  createVoicemailService,
  EMAIL_MAX_ATTEMPTS,
  type VoicemailService,
} from './voicemail/voicemail-service.js';

/** The dispatch table: one AGI script name, one handler (wazo-agid's style; see docs/architecture.md). */
export function scriptTable(deps: HandlerDeps): Map<string, AgiScriptHandler> {
  return new Map([
    [AgiScript.inbound, createInboundHandler(deps)],
    [AgiScript.next, createNextHandler(deps)],
    [AgiScript.hangup, createHangupHandler(deps)],
    [AgiScript.outbound, createOutboundHandler(deps)],
    [AgiScript.message, createMessageHandler(deps)],
  ]);
}

export interface SwitchboardOptions {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /**
   * Routing for an empty store (a first run that asked for it). Without it, a missing or empty
   * store stops start-up with an EmptyStoreError; a store with routing is never replaced.
   */
  readonly seed?: RoutingConfigInput;
  /** Where `seed` came from, for the version's summary (e.g. the file name). */
  readonly seedSource?: string;
  /** A store opened by the caller (tests); default: DATABASE_URL, else SQLite at SB_DB_PATH. */
  readonly store?: SwitchboardStore;
  /** Leave the admin API out (benchmarks, tests of the AGI path alone). */
  readonly withoutApi?: boolean;
}

export interface Switchboard {
  readonly agi: FastAgiServer;
  readonly api: FastifyInstance | undefined;
  readonly routing: RoutingService;
  readonly store: SwitchboardStore;
  readonly callLog: CallLogWriter;
  readonly storeMonitor: StoreMonitor;
  readonly metrics: Metrics;
  readonly outboundLimiter: OutboundLimits;
  readonly engine: StoreBackend['engine'] | 'given';
  /** Puts on record from Asterisk's CDR what the call log missed (when SB_CDR_FILE is set). */
  readonly reconciler: CdrReconciler | undefined;
  /** Texts: the outbox worker and the AMI side (docs/messaging.md). */
  readonly messaging: MessagingService;
  /** Voicemail: the spool watch and the email channel (docs/voicemail.md). */
  readonly voicemail: VoicemailService;
  /** The outbox's counts for /health and /metrics. */
  readonly outboxMonitor: OutboxMonitor;
  /** A token generated at this first start: shown once, stored only hashed. */
  readonly newAdminToken: string | undefined;
  listen(): Promise<{ agi: AddressInfo; api: AddressInfo | undefined }>;
  /** Drains AGI sessions, writes the call log's queue, closes the API and the store. */
  close(drainMs?: number): Promise<void>;
}

/** How often /health and /metrics' outbox counts are read from the store. */
const OUTBOX_SUMMARY_MS = 2_000;

function notInitialised(where: string, state: string): string {
  return (
    `route store ${where} ${state} and no seed was asked for: not starting (Asterisk takes its static fallback). ` +
    'Initialise it once with --seed FILE (or --seed-sample for the sample routes), or set SB_DB_PATH to your store.'
  );
}

/** Wires the parts: store -> routing snapshot -> handlers -> FastAGI server, plus the admin API. */
export async function createSwitchboard(options: SwitchboardOptions): Promise<Switchboard> {
  const { config, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const seed = options.seed
    ? { config: options.seed, source: options.seedSource ?? 'the seed given at start' }
    : undefined;
  const where = options.store
    ? 'the configured store'
    : config.DATABASE_URL
      ? 'the PostgreSQL database (DATABASE_URL)'
      : config.SB_DB_PATH;
  // Don't let SQLite create a file for a path nobody initialised (a typo, a lost volume).
  if (
    !options.store &&
    !config.DATABASE_URL &&
    !seed &&
    config.SB_DB_PATH !== ':memory:' &&
    !existsSync(config.SB_DB_PATH)
  )
    throw new EmptyStoreError(notInitialised(where, 'does not exist'));
  const backend: StoreBackend = options.store
    ? {
        store: options.store,
        engine: 'sqlite',
        outboundLimiter: new OutboundLimiter(),
        versionCheckMs: config.SB_CONFIG_POLL_MS ?? 0,
      }
    : await openStore(config, logger);
  const { store, outboundLimiter } = backend;
  let routing: RoutingService;
  try {
    routing = await RoutingService.open(store, logger, seed);
  } catch (error) {
    await store.close();
    await outboundLimiter.close();
    throw error instanceof EmptyStoreError ? new EmptyStoreError(notInitialised(where, 'is empty')) : error;
  }
  let agi: FastAgiServer | undefined;
  let callLog: CallLogWriter | undefined;
  const outboxMonitor = new OutboxMonitor(store, logger);
  const metrics = createMetrics({
    activeSessions: () => agi?.activeSessions ?? 0,
    callLogPending: () => callLog?.pending ?? 0,
    outbox: () => outboxMonitor.current,
  });
  const writer = new CallLogWriter(store, logger, metrics.callLog);
  callLog = writer;
  const storeMonitor = new StoreMonitor(
    store,
    writer,
    logger,
    (status) => metrics.storeUp.set(status.ok ? 1 : 0),
    // A restored backup is the truth now, routing included: follow it rather than refuse every
    // later change as a version conflict.
    () => routing.refresh(true),
  );
  const deps: HandlerDeps = {
    snapshot: () => routing.snapshot,
    callLog: writer,
    logger,
    clock,
    metrics,
    headerSecret: config.SB_HEADER_SECRET,
    twilioAccountSid: config.SB_TWILIO_ACCOUNT_SID,
    claimNonce: (nonce, owner, expiresAt) => store.claimNonce(nonce, owner, expiresAt),
    outboundLimiter,
    takeText: async (text, now) => {
      const result = await takePhoneText({ store, limiter: outboundLimiter }, routing.snapshot, text, now);
      messaging.poke();
      return result;
    },
  };
  agi = createFastAgiServer({
    host: config.SB_AGI_HOST,
    port: config.SB_AGI_PORT,
    maxSessions: config.SB_AGI_MAX_SESSIONS,
    allow: allowListCheck(config.SB_AGI_ALLOW),
    commandTimeoutMs: config.SB_AGI_COMMAND_TIMEOUT_MS,
    sessionDeadlineMs: config.SB_AGI_SESSION_DEADLINE_MS,
    errorVariable: DialplanVariable.agiError,
    scripts: scriptTable(deps),
    logger,
    onSessionEnd: (outcome) => metrics.observeSession(outcome),
    onFallback: (reason) => metrics.fallbacks.inc({ reason }),
    onRefused: (reason) => metrics.refusedConnections.inc({ reason }),
  });
  const server = agi;
  const voicemail = createVoicemailService(config, store, () => routing.snapshot, logger, clock);
  const messaging = createMessagingService(config, store, logger, clock, {
    channels: voicemail.channels,
    maxAttempts: { email: EMAIL_MAX_ATTEMPTS },
    onAttempt: (kind, result) => metrics.outboxAttempts.inc({ kind, result }),
  });
  const newAdminToken = options.withoutApi ? undefined : await ensureAdminToken(store, config.SB_ADMIN_TOKEN);
  const api = options.withoutApi
    ? undefined
    : await buildAdminApi({
        routing,
        store,
        metrics,
        logger,
        clock,
        health: () => healthReport(server, storeMonitor, writer, outboxMonitor.current),
        metricsAccess: metricsAccess(config.SB_API_HOST, config.SB_METRICS_TOKEN),
        limits: apiLimits(config),
        headerSecret: config.SB_HEADER_SECRET,
        onMessageStored: () => messaging.poke(),
        takeText: deps.takeText,
        textStatus:
          config.SB_TWILIO_AUTH_TOKEN && statusCallbackUrl(config)
            ? { authToken: config.SB_TWILIO_AUTH_TOKEN, url: statusCallbackUrl(config) as string }
            : undefined,
        soundsDir: config.SB_SOUNDS_DIR,
        recordingsDir: config.SB_RECORDINGS_DIR,
        voicemail: voicemail.spool
          ? { spool: voicemail.spool, pbx: messaging.ami ? amiVoicemail(messaging.ami) : undefined }
          : undefined,
        edgeVoicemail: {
          context: config.SB_VOICEMAIL_CONTEXT,
          mailFrom: config.SB_MAIL_FROM,
          textNotices: voicemail.textNotices,
        },
      });
  let stopFollowing: (() => void) | undefined;
  let stopRetention: (() => void) | undefined;
  const reconciler = config.SB_CDR_FILE
    ? new CdrReconciler({
        file: config.SB_CDR_FILE,
        store,
        callLog: writer,
        context: () => ({
          extensionByEndpoint: routing.snapshot.extensionByEndpoint,
          defaultCountry: routing.snapshot.config.settings.defaultCountry,
        }),
        logger,
        clock,
        // An outbound call whose hangup report was lost no longer counts against its extension.
        onCallEnded: (linkedId) => outboundLimiter.release(linkedId),
      })
    : undefined;

  return {
    agi: server,
    api,
    routing,
    store,
    callLog: writer,
    storeMonitor,
    metrics,
    outboundLimiter,
    reconciler,
    messaging,
    voicemail,
    outboxMonitor,
    engine: options.store ? 'given' : backend.engine,
    newAdminToken,
    async listen() {
      const agiAddress = await server.listen();
      let apiAddress: AddressInfo | undefined;
      if (api) {
        await api.listen({ host: config.SB_API_HOST, port: config.SB_API_PORT });
        apiAddress = api.server.address() as AddressInfo;
      }
      storeMonitor.start(config.SB_STORE_CHECK_MS);
      stopFollowing = await routing.follow(backend.versionCheckMs);
      reconciler?.start(config.SB_RECONCILE_MS);
      messaging.start();
      voicemail.start(() => messaging.poke());
      outboxMonitor.start(OUTBOX_SUMMARY_MS);
      const recordings = config.SB_RECORDINGS_DIR;
      if (recordings)
        stopRetention = startRecordingRetention({
          dir: recordings,
          retentionDays: () => routing.snapshot.config.recording.retentionDays,
          clock,
          logger,
        });
      return { agi: agiAddress, api: apiAddress };
    },
    async close(drainMs = config.SB_SHUTDOWN_DRAIN_MS) {
      stopFollowing?.();
      storeMonitor.stop();
      reconciler?.stop();
      stopRetention?.();
      await server.close(drainMs);
      outboxMonitor.stop();
      await voicemail.stop();
      await messaging.stop();
      await writer.close();
      await outboundLimiter.close();
      await api?.close();
      await store.close();
    },
  };
}

/** The admin API's bounds from the settings; Node refuses a headers bound above the request bound. */
function apiLimits(config: ServerConfig): ApiLimits {
  if (config.SB_API_HEADERS_TIMEOUT_MS > config.SB_API_REQUEST_TIMEOUT_MS)
    throw new ConfigError(
      `SB_API_HEADERS_TIMEOUT_MS (${config.SB_API_HEADERS_TIMEOUT_MS}) must not exceed SB_API_REQUEST_TIMEOUT_MS (${config.SB_API_REQUEST_TIMEOUT_MS})`,
    );
  return {
    headersTimeoutMs: config.SB_API_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.SB_API_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: config.SB_API_CONNECTION_TIMEOUT_MS,
    authMaxFailures: config.SB_API_AUTH_MAX_FAILURES,
    authWindowMs: config.SB_API_AUTH_WINDOW_MS,
  };
}
